import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createDerSigner, generateEcKeyPair, spkiToPem } from '../../../src/adapters/crypto/ecdsa';
import { ChainChecker } from '../../../src/core/ledger/chain';
import { GENESIS_PREV, keyIdOf, recordHash, sealRecord, type LedgerRecord } from '../../../src/core/ledger/record';
import { verifyRecord } from '../../../src/core/ledger/verify';
import { canonicalJson } from '../../../src/core/ledger/canonical';
import { nodeEcdsaVerifier } from '../../../src/adapters/crypto/ecdsa';
import type { ProblemKind } from '../../../src/core/ledger/problems';
import { makeSession } from './session-fixture';

const pair = generateEcKeyPair();
const keyId = keyIdOf(pair.publicKeySpki);
const keys = { [keyId]: spkiToPem(pair.publicKeySpki) };
const sign = createDerSigner(pair.privateKeyPem);
const identity = { gatewayId: 'ChargeLedger', gatewaySerial: 'ST1', timeStatus: 'I' as const };

function chain(n: number): LedgerRecord[] {
  const out: LedgerRecord[] = [];
  let prev = GENESIS_PREV;
  for (let seq = 1; seq <= n; seq++) {
    const r = sealRecord({ session: makeSession(seq), seq, prev, stationId: 'ST1', keyId, createdAt: `2025-11-25T10:00:${String(seq).padStart(2, '0')}.000Z` }, identity, sign);
    out.push(r);
    prev = r.hash;
  }
  return out;
}

function check(records: unknown[]): ProblemKind[] {
  const c = new ChainChecker({ verifyRecord: (r) => verifyRecord(r, keys, nodeEcdsaVerifier) });
  const problems = records.flatMap((r) => c.push(r));
  return [...problems, ...c.finish()].map((p) => p.kind);
}

const base = chain(6);

describe('canonicalJson', () => {
  it('sorts keys and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: undefined, c: 'x' }] })).toBe('{"a":[1,{"c":"x"}],"b":1}');
  });
});

describe('sealRecord / verifyRecord', () => {
  it('produces records that verify, signed over the whole envelope', () => {
    for (const r of base) expect(verifyRecord(r, keys, nodeEcdsaVerifier)).toEqual([]);
    expect(base[0].ocmf).toMatch(/^OCMF\|\{"FV":"1.0".*"PG":"T1".*\|\{"SA":"ECDSA-secp256r1-SHA256","SD":"30[0-9A-F]+"\}$/);
  });
  it('detects altered content even when the attacker recomputes the hash', () => {
    const forged = { ...base[1], session: { ...base[1].session, energyWh: 1 } };
    forged.hash = recordHash(forged);
    expect(verifyRecord(forged, keys, nodeEcdsaVerifier).map((p) => p.kind)).toEqual(['altered']);
    const plain = { ...base[1], session: { ...base[1].session, energyWh: 1 } };
    expect(verifyRecord(plain, keys, nodeEcdsaVerifier).map((p) => p.kind)).toEqual(['altered', 'altered']);
  });
  it('reports an unknown key id and a bad signature', () => {
    expect(verifyRecord(base[0], {}, nodeEcdsaVerifier).map((p) => p.kind)).toEqual(['unknown-key']);
    const other = generateEcKeyPair();
    expect(verifyRecord(base[0], { [keyId]: spkiToPem(other.publicKeySpki) }, nodeEcdsaVerifier).map((p) => p.kind)).toEqual(['bad-signature']);
  });
});

describe('ChainChecker names each problem', () => {
  it('accepts an intact chain', () => expect(check(base)).toEqual([]));
  it('deleted (gap in the middle, and at the start)', () => {
    expect(check([base[0], base[1], base[3], base[4]])).toEqual(['deleted']);
    expect(check(base.slice(2))).toEqual(['deleted']);
  });
  it('reordered', () => expect(check([base[0], base[2], base[1], base[3]])).toEqual(['reordered']));
  it('duplicated (same record twice, and the same session under two seqs)', () => {
    expect(check([base[0], base[1], base[1], base[2]])).toEqual(['duplicated']);
    const c = new ChainChecker();
    c.push(base[0]);
    const again = { ...base[1], id: base[0].id };
    expect(c.push(again).map((p) => p.kind)).toEqual(['duplicated']);
  });
  it('altered (content) and broken links', () => {
    const altered = { ...base[2], createdAt: '2030-01-01T00:00:00.000Z' };
    expect(check([base[0], base[1], altered, base[3]])).toEqual(['altered', 'altered']);
  });
  it('malformed', () => expect(check([base[0], { hello: 1 }, base[1]])).toEqual(['malformed']));
  it('starts from an anchor after pruning', () => {
    const c = new ChainChecker({ anchor: { seq: 3, hash: base[2].hash } });
    expect([...base.slice(3).flatMap((r) => c.push(r)), ...c.finish()]).toEqual([]);
  });
  it('property: any deletion or adjacent swap is detected', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.boolean(), (i, swap) => {
        const rs = [...base];
        const swapped = swap && i < 5;
        if (swapped) [rs[i], rs[i + 1]] = [rs[i + 1], rs[i]];
        else rs.splice(i, 1);
        const kinds = check(rs);
        // Deleting the last record leaves a valid shorter chain: only the stored head can tell.
        if (!swapped && i === 5) return kinds.length === 0;
        return kinds.length > 0 && kinds.every((k) => k === (swapped ? 'reordered' : 'deleted'));
      }),
    );
  });
});
