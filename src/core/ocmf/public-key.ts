import { parseSpki, spkiFromPoint, type Curve } from './curves';

/** A public key normalised to SPKI DER, with the curve its OID names. */
export interface DecodedPublicKey {
  spki: Buffer;
  curve: Curve;
  /** How the key was given: spki (hex/base64/PEM) or a raw point. */
  form: 'spki' | 'raw-point';
}

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function bytesOf(text: string): Buffer {
  const pem = /-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/.exec(text);
  if (pem) return Buffer.from(pem[1].replace(/\s+/g, ''), 'base64');
  // Spaced or colon-separated hex groups are common in meter documentation ("3059 3013 ...").
  const compact = text.replace(/[\s:]+/g, '');
  if (HEX.test(compact) && compact.length % 2 === 0) return Buffer.from(compact, 'hex');
  if (BASE64.test(compact)) return Buffer.from(compact, 'base64');
  throw new Error('public key is neither PEM, hex nor base64');
}

/**
 * Decode a public key given as SPKI DER (hex, spaced hex, base64 or PEM) or as a raw EC point
 * in hex/base64 (04‖X‖Y, compressed 02/03‖X, or bare X‖Y). A raw point needs `curveHint`
 * (normally the curve from the OCMF SA field). Throws with a reason on anything else.
 */
export function decodePublicKey(text: string, curveHint?: Curve): DecodedPublicKey {
  const bytes = bytesOf(text);
  if (bytes.length === 0) throw new Error('public key is empty');
  if (bytes[0] === 0x30) {
    const { curve, curveOidHex } = parseSpki(bytes);
    if (!curve) throw new Error(`public key curve OID ${curveOidHex} is not an OCMF curve`);
    return { spki: bytes, curve, form: 'spki' };
  }
  if (!curveHint) throw new Error('a raw public key point needs the curve (from SA)');
  const n = curveHint.fieldBytes;
  let point: Buffer;
  if (bytes.length === 2 * n + 1 && bytes[0] === 0x04) point = bytes;
  else if (bytes.length === 2 * n) point = Buffer.concat([Buffer.from([4]), bytes]);
  else if (bytes.length === n + 1 && (bytes[0] === 2 || bytes[0] === 3)) point = bytes;
  else throw new Error(`raw public key of ${bytes.length} bytes does not fit curve ${curveHint.name}`);
  return { spki: spkiFromPoint(curveHint, point), curve: curveHint, form: 'raw-point' };
}

/** OCMF-style hex SPKI (upper case, no spaces) of a DER public key. */
export function spkiHex(spki: Uint8Array): string {
  return Buffer.from(spki).toString('hex').toUpperCase();
}
