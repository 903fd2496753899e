import type { EcdsaVerifier } from '../ocmf/verify';
import { verifyOcmf } from '../ocmf/verify';
import { decodePublicKey } from '../ocmf/public-key';
import { BODY_HASH_FIELD, bodyHash, keyIdOf, recordBody, recordHash, type LedgerRecord } from './record';
import type { RecordProblem } from './problems';

/** Public keys by key id, each in any form decodePublicKey accepts (PEM, SPKI hex/base64). */
export type PublicKeys = Record<string, string> | ReadonlyMap<string, string>;

function keyFor(keys: PublicKeys, keyId: string): string | undefined {
  return keys instanceof Map ? keys.get(keyId) : (keys as Record<string, string>)[keyId];
}

/** Shape check: returns a reason when `value` is not a ledger record. */
export function recordShapeError(value: unknown): string | null {
  if (!value || typeof value !== 'object') return 'not an object';
  const r = value as Partial<LedgerRecord>;
  if (r.v !== 1) return 'v is not 1';
  if (typeof r.id !== 'string' || !r.id) return 'id missing';
  if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 1) return 'seq is not a positive integer';
  for (const f of ['prev', 'hash'] as const) if (typeof r[f] !== 'string' || !/^[0-9a-f]{64}$/.test(r[f] as string)) return `${f} is not 64 hex digits`;
  for (const f of ['stationId', 'keyId', 'createdAt', 'ocmf'] as const) if (typeof r[f] !== 'string') return `${f} missing`;
  if (!r.session || typeof r.session !== 'object') return 'session missing';
  return null;
}

/**
 * Verify one record on its own: shape, its hash, the signed body hash in the OCMF payload,
 * the pagination, the key id and the OCMF signature. Returns every problem found (empty = valid).
 */
export function verifyRecord(value: unknown, publicKeys: PublicKeys, verify: EcdsaVerifier): RecordProblem[] {
  const shape = recordShapeError(value);
  const rec = value as LedgerRecord;
  const at = { seq: Number.isSafeInteger(rec?.seq) ? rec.seq : null, id: typeof rec?.id === 'string' ? rec.id : null };
  if (shape) return [{ kind: 'malformed', ...at, message: shape }];
  const problems: RecordProblem[] = [];
  if (recordHash(rec) !== rec.hash) problems.push({ kind: 'altered', ...at, message: 'content does not match its hash' });
  const key = keyFor(publicKeys, rec.keyId);
  if (!key) return [...problems, { kind: 'unknown-key', ...at, message: `no public key for key id ${rec.keyId}` }];
  const result = verifyOcmf(rec.ocmf, key, verify, { strict: true });
  if (result.verdict !== 'valid') {
    problems.push({ kind: 'bad-signature', ...at, message: result.errors.join('; ') });
    return problems;
  }
  const payload = result.parsed!.payload;
  if (payload[BODY_HASH_FIELD] !== bodyHash(recordBody(rec))) problems.push({ kind: 'altered', ...at, message: 'envelope does not match the signed body hash' });
  if (payload.PG !== `T${rec.seq}`) problems.push({ kind: 'altered', ...at, message: `seq ${rec.seq} does not match signed pagination ${String(payload.PG)}` });
  try {
    if (keyIdOf(decodePublicKey(key).spki) !== rec.keyId) problems.push({ kind: 'unknown-key', ...at, message: `key given for ${rec.keyId} has a different key id` });
  } catch (e) {
    problems.push({ kind: 'unknown-key', ...at, message: `public key: ${(e as Error).message}` });
  }
  return problems;
}
