import { ChainChecker, type ChainAnchor } from '../../core/ledger/chain';
import type { RecordProblem } from '../../core/ledger/problems';
import { verifyRecord, type PublicKeys } from '../../core/ledger/verify';
import { verifyOcmf, type OcmfVerification, type VerifyOcmfOptions } from '../../core/ocmf/verify';
import { nodeEcdsaVerifier } from './ecdsa';

/** Verify one ledger record with node:crypto: hash, signed body hash, key id and signature. */
export function verifyLedgerRecord(record: unknown, publicKeys: PublicKeys): RecordProblem[] {
  return verifyRecord(record, publicKeys, nodeEcdsaVerifier);
}

/** A chain checker that also verifies each record's signature with node:crypto. */
export function createChainChecker(publicKeys: PublicKeys, anchor?: ChainAnchor): ChainChecker {
  return new ChainChecker({ anchor, verifyRecord: (r) => verifyRecord(r, publicKeys, nodeEcdsaVerifier) });
}

/** Verify an OCMF string with node:crypto (every OCMF curve, DER/raw signatures, hex/base64). */
export function verifyOcmfString(ocmf: string, publicKey: string, options?: VerifyOcmfOptions): OcmfVerification {
  return verifyOcmf(ocmf, publicKey, nodeEcdsaVerifier, options);
}
