// Record verification for the receiver: team LEDGER's verifyRecord bound to the station keys.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { EcdsaVerifier } from '../../core/ocmf/verify';
import { verifyRecord, type PublicKeys } from '../../core/ledger/verify';
import type { RecordProblem } from '../../core/ledger/problems';

/** Checks one record on its own (shape, hash, signature, key); empty = valid. */
export type RecordVerifier = (record: unknown) => RecordProblem[];

/**
 * ECDSA verification like nodeEcdsaVerifier, but each public key is parsed once: a receiver
 * checks thousands of records per second against a handful of station keys.
 */
export function cachingEcdsaVerifier(maxKeys = 10_000): EcdsaVerifier {
  const keys = new Map<string, KeyObject>();
  return (spki, data, rs) => {
    try {
      const id = spki.toString('base64');
      let key = keys.get(id);
      if (!key) {
        key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
        if (keys.size >= maxKeys) keys.clear();
        keys.set(id, key);
      }
      return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, rs);
    } catch {
      return false; // a point not on the curve or a malformed key: not a valid signature
    }
  };
}

/** The standard verifier: LEDGER's verifyRecord with node:crypto ECDSA. */
export function keyVerifier(keys: PublicKeys): RecordVerifier {
  const ecdsa = cachingEcdsaVerifier();
  return (record) => verifyRecord(record, keys, ecdsa);
}
