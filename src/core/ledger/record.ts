import type { Session } from '../types';
import { buildOcmfPayload, type OcmfIdentity } from '../ocmf/build';
import { signOcmf, type OcmfSigner } from '../ocmf/sign';
import { canonicalJson, sha256Hex, sha256HexBytes } from './canonical';

/**
 * One signed, chained ledger record: the MQTT payload and the stored value.
 * `hash` = SHA-256 of the canonical JSON of every other field; the next record's `prev` is this hash.
 * The OCMF payload carries `XH` = SHA-256 of the canonical body (every field except `ocmf` and `hash`),
 * so the station's signature covers the whole envelope, including `seq` and `prev`.
 */
export interface LedgerRecord {
  v: 1;
  /** The session id: the backend's dedupe key. */
  id: string;
  /** Station sequence number, strictly increasing from 1. */
  seq: number;
  /** Hash of the previous record; 64 zeros for seq 1. */
  prev: string;
  stationId: string;
  /** Id of the signing key (first 16 hex digits of SHA-256 over its SPKI DER). */
  keyId: string;
  /** ISO 8601 UTC time the record was sealed. */
  createdAt: string;
  session: Session;
  /** Cost and revenue breakdown from the price node, when present. */
  pricing?: unknown;
  /** Hash of the tariff the pricing used. */
  tariffHash?: string;
  /** `OCMF|<payload>|<signature>`, signed by the station key. */
  ocmf: string;
  hash: string;
}

/** The signed-over part of a record: everything except `ocmf` and `hash`. */
export type RecordBody = Omit<LedgerRecord, 'ocmf' | 'hash'>;

/** `prev` of the first record of a station. */
export const GENESIS_PREV = '0'.repeat(64);

/** OCMF vendor field holding the body hash (vendor extension names start with U..Z). */
export const BODY_HASH_FIELD = 'XH';

/** SHA-256 hex of a record body's canonical JSON. */
export function bodyHash(body: RecordBody): string {
  return sha256Hex(canonicalJson(body));
}

/** The record's own hash: SHA-256 hex over the canonical JSON of every field except `hash`. */
export function recordHash(record: Omit<LedgerRecord, 'hash'> | LedgerRecord): string {
  const { hash: _omit, ...rest } = record as LedgerRecord;
  void _omit;
  return sha256Hex(canonicalJson(rest));
}

/** The body of a record without its OCMF and hash. */
export function recordBody(record: LedgerRecord): RecordBody {
  const { ocmf: _o, hash: _h, ...body } = record;
  void _o;
  void _h;
  return body;
}

/** What sealing a record needs besides the signer. */
export interface SealInput {
  session: Session;
  pricing?: unknown;
  tariffHash?: string;
  seq: number;
  prev: string;
  stationId: string;
  keyId: string;
  createdAt: string;
}

/** Build, sign and hash a record: the only way records are made. */
export function sealRecord(input: SealInput, identity: OcmfIdentity, sign: OcmfSigner): LedgerRecord {
  const tariffHash = input.tariffHash ?? pricingTariffHash(input.pricing);
  const body: RecordBody = {
    v: 1,
    id: input.session.id,
    seq: input.seq,
    prev: input.prev,
    stationId: input.stationId,
    keyId: input.keyId,
    createdAt: input.createdAt,
    session: input.session,
    ...(input.pricing !== undefined ? { pricing: input.pricing } : {}),
    ...(tariffHash !== undefined ? { tariffHash } : {}),
  };
  // Round-trip through JSON so the stored/published form and the hashed form are the same value.
  const plain = JSON.parse(JSON.stringify(body)) as RecordBody;
  const payload = buildOcmfPayload(plain.session, identity, plain.seq, { [BODY_HASH_FIELD]: bodyHash(plain) });
  const withOcmf = { ...plain, ocmf: signOcmf(payload, sign) };
  return { ...withOcmf, hash: recordHash(withOcmf) };
}

function pricingTariffHash(pricing: unknown): string | undefined {
  if (pricing && typeof pricing === 'object' && typeof (pricing as { tariffHash?: unknown }).tariffHash === 'string') {
    return (pricing as { tariffHash: string }).tariffHash;
  }
  return undefined;
}

/** Key id of an SPKI DER public key: the first 16 hex digits of its SHA-256. */
export function keyIdOf(spki: Uint8Array): string {
  return sha256HexBytes(spki).slice(0, 16);
}
