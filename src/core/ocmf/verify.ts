import { parseSignatureAlgorithm } from './curves';
import { parseOcmf, type ParsedOcmf } from './parse';
import { decodePublicKey } from './public-key';
import { decodeSignature, type SignatureForm } from './signature';

/**
 * Checks one ECDSA signature over `data` (hash per the curve's SA, SHA-256 here; on 192-bit
 * curves the digest is truncated to the order's bit length as ECDSA prescribes). `rs` is fixed-width r‖s.
 * Supplied by src/adapters/crypto so the core stays free of the crypto backend.
 */
export type EcdsaVerifier = (spki: Buffer, data: Buffer, rs: Buffer) => boolean;

/**
 * Verdict policy:
 * - 'valid': strict DER (or the declared encoding), math verifies;
 * - 'valid-nonstandard': the math verifies but the signature is raw r‖s or DER with needless
 *   leading zeros (real meters send both); `strict` turns this into 'invalid';
 * - 'invalid': anything else (tampered bytes, wrong key, curve mismatch, undecodable data).
 */
export type OcmfVerdict = 'valid' | 'valid-nonstandard' | 'invalid';

/** The outcome of verifying one OCMF string. */
export interface OcmfVerification {
  verdict: OcmfVerdict;
  /** Why it is invalid (empty when valid). */
  errors: string[];
  /** Non-fatal findings, such as a non-standard signature encoding. */
  warnings: string[];
  curve?: string;
  signatureForm?: SignatureForm;
  parsed?: ParsedOcmf;
}

/** Options: reject non-standard encodings instead of accepting them with a warning. */
export interface VerifyOcmfOptions {
  strict?: boolean;
}

function decodeSd(sd: string, encoding: string): Buffer | null {
  const text = sd.replace(/\s+/g, '');
  if (encoding === 'hex') return /^([0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : null;
  if (encoding === 'base64') return /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : null;
  return null;
}

/** Verify an OCMF string against a public key given in any accepted form (see decodePublicKey). */
export function verifyOcmf(ocmf: string, publicKey: string, verify: EcdsaVerifier, options: VerifyOcmfOptions = {}): OcmfVerification {
  const invalid = (reason: string, extra: Partial<OcmfVerification> = {}): OcmfVerification => ({ verdict: 'invalid', errors: [reason], warnings: [], ...extra });
  let parsed: ParsedOcmf;
  try {
    parsed = parseOcmf(ocmf);
  } catch (e) {
    return invalid((e as Error).message);
  }
  const sig = parsed.signature;
  const algo = parseSignatureAlgorithm(sig.SA);
  if ('error' in algo) return invalid(algo.error, { parsed });
  const curve = algo.curve;
  if (sig.SM !== undefined && sig.SM !== 'application/x-der') return invalid(`unsupported signature mime type "${String(sig.SM)}"`, { parsed });
  let key;
  try {
    key = decodePublicKey(publicKey, curve);
  } catch (e) {
    return invalid(`public key: ${(e as Error).message}`, { parsed, curve: curve.name });
  }
  if (key.curve.name !== curve.name) {
    return invalid(`public key is on ${key.curve.name} but SA names ${curve.name}`, { parsed, curve: curve.name });
  }
  const encoding = sig.SE ?? 'hex';
  const bytes = decodeSd(sig.SD, encoding);
  if (!bytes) return invalid(`signature data is not valid ${encoding}`, { parsed, curve: curve.name });
  const decoded = decodeSignature(bytes, curve.fieldBytes);
  if (!decoded) return invalid('signature is neither DER nor raw r||s for this curve', { parsed, curve: curve.name });
  const base = { parsed, curve: curve.name, signatureForm: decoded.form };
  const ok = verify(key.spki, Buffer.from(parsed.payloadText, 'utf8'), decoded.rs);
  if (!ok) return invalid('signature does not match the payload and key', base);
  if (decoded.form === 'der') return { verdict: 'valid', errors: [], warnings: [], ...base };
  const warning = decoded.form === 'raw' ? 'signature is raw r||s, not DER as OCMF requires' : 'DER signature has non-minimal integers';
  if (options.strict) return { verdict: 'invalid', errors: [`${warning} (strict mode)`], warnings: [], ...base };
  return { verdict: 'valid-nonstandard', errors: [], warnings: [warning], ...base };
}
