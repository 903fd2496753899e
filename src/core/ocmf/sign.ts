import { formatOcmf } from './parse';

/** Produces a DER ECDSA signature over the given bytes (see src/adapters/crypto for the real one). */
export type OcmfSigner = (data: Buffer) => Buffer;

/**
 * Serialise a payload once and sign exactly those bytes: `OCMF|<payload>|{"SA":…,"SD":<DER hex>}`.
 * SA defaults to OCMF's default algorithm, ECDSA-secp256r1-SHA256.
 */
export function signOcmf(payload: Record<string, unknown>, sign: OcmfSigner, signatureAlgorithm = 'ECDSA-secp256r1-SHA256'): string {
  const payloadText = JSON.stringify(payload);
  const sd = sign(Buffer.from(payloadText, 'utf8')).toString('hex').toUpperCase();
  return formatOcmf(payloadText, { SA: signatureAlgorithm, SD: sd });
}
