// The ECDSA curves OCMF names, with their ASN.1 OIDs and sizes, and SPKI DER assembly/parsing.

/** One ECDSA curve: canonical name, OpenSSL name, DER-encoded OID body and field size in bytes. */
export interface Curve {
  name: string;
  opensslName: string;
  oidHex: string;
  fieldBytes: number;
}

/** Every curve OCMF 1.x lists (Table 22), keyed by canonical name. */
export const CURVES: Record<string, Curve> = {
  secp192k1: { name: 'secp192k1', opensslName: 'secp192k1', oidHex: '2b8104001f', fieldBytes: 24 },
  secp192r1: { name: 'secp192r1', opensslName: 'prime192v1', oidHex: '2a8648ce3d030101', fieldBytes: 24 },
  secp256k1: { name: 'secp256k1', opensslName: 'secp256k1', oidHex: '2b8104000a', fieldBytes: 32 },
  secp256r1: { name: 'secp256r1', opensslName: 'prime256v1', oidHex: '2a8648ce3d030107', fieldBytes: 32 },
  secp384r1: { name: 'secp384r1', opensslName: 'secp384r1', oidHex: '2b81040022', fieldBytes: 48 },
  brainpoolP256r1: { name: 'brainpoolP256r1', opensslName: 'brainpoolP256r1', oidHex: '2b2403030208010107', fieldBytes: 32 },
  brainpoolP384r1: { name: 'brainpoolP384r1', opensslName: 'brainpoolP384r1', oidHex: '2b240303020801010b', fieldBytes: 48 },
};

// Spellings seen in OCMF data and specs: the spec table writes brainpool256r1, meters write brainpoolP256r1.
const ALIASES: Record<string, string> = {
  prime256v1: 'secp256r1', 'p-256': 'secp256r1', p256: 'secp256r1',
  prime192v1: 'secp192r1', 'p-192': 'secp192r1',
  'p-384': 'secp384r1', prime384v1: 'secp384r1',
  brainpool256r1: 'brainpoolP256r1', brainpool384r1: 'brainpoolP384r1',
};

/** Look a curve up by any of its spellings (case-insensitive); undefined when unknown. */
export function curveByName(name: string): Curve | undefined {
  const lower = name.trim().toLowerCase();
  const canonical = ALIASES[lower] ?? Object.keys(CURVES).find((k) => k.toLowerCase() === lower);
  return canonical ? CURVES[canonical] : undefined;
}

/** The curve and hash named by an OCMF SA value such as `ECDSA-brainpoolP256r1-SHA256`. */
export function parseSignatureAlgorithm(sa: string | undefined): { curve: Curve; hash: 'sha256' } | { error: string } {
  const value = sa ?? 'ECDSA-secp256r1-SHA256';
  const m = /^ECDSA-([A-Za-z0-9]+)-SHA256$/.exec(value.trim());
  if (!m) return { error: `unsupported signature algorithm "${value}"` };
  const curve = curveByName(m[1]);
  if (!curve) return { error: `unsupported curve "${m[1]}" in SA` };
  return { curve, hash: 'sha256' };
}

const EC_PUBLIC_KEY_OID = '2a8648ce3d0201';

function derLength(n: number): string {
  if (n < 0x80) return n.toString(16).padStart(2, '0');
  const hex = n.toString(16).padStart(n > 0xff ? 4 : 2, '0');
  return `${(0x80 + hex.length / 2).toString(16)}${hex}`;
}

function tlv(tag: string, bodyHex: string): string {
  return `${tag}${derLength(bodyHex.length / 2)}${bodyHex}`;
}

/** SPKI DER for an EC point (04‖X‖Y, or compressed 02/03‖X) on the given curve. */
export function spkiFromPoint(curve: Curve, point: Uint8Array): Buffer {
  const algo = tlv('30', tlv('06', EC_PUBLIC_KEY_OID) + tlv('06', curve.oidHex));
  const bits = tlv('03', `00${Buffer.from(point).toString('hex')}`);
  return Buffer.from(tlv('30', algo + bits), 'hex');
}

/** Read one DER TLV at `pos`: tag, value start and end; throws on truncation. */
export function readTlv(buf: Uint8Array, pos: number): { tag: number; start: number; end: number } {
  if (pos + 2 > buf.length) throw new Error('DER truncated');
  const tag = buf[pos];
  let len = buf[pos + 1];
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || start + n > buf.length) throw new Error('DER bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i];
    start += n;
  }
  if (start + len > buf.length) throw new Error('DER truncated');
  return { tag, start, end: start + len };
}

/** Split SPKI DER into its curve (by OID; undefined if not an OCMF curve) and its EC point. */
export function parseSpki(der: Uint8Array): { curve: Curve | undefined; curveOidHex: string; point: Uint8Array } {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw new Error('SPKI is not one DER SEQUENCE');
  const algo = readTlv(der, outer.start);
  if (algo.tag !== 0x30) throw new Error('SPKI algorithm is not a SEQUENCE');
  const oid1 = readTlv(der, algo.start);
  if (oid1.tag !== 0x06 || Buffer.from(der.subarray(oid1.start, oid1.end)).toString('hex') !== EC_PUBLIC_KEY_OID) {
    throw new Error('SPKI is not an EC public key');
  }
  const oid2 = readTlv(der, oid1.end);
  if (oid2.tag !== 0x06) throw new Error('SPKI has no named curve');
  const curveOidHex = Buffer.from(der.subarray(oid2.start, oid2.end)).toString('hex');
  const bits = readTlv(der, algo.end);
  if (bits.tag !== 0x03 || der[bits.start] !== 0) throw new Error('SPKI key is not a BIT STRING');
  const curve = Object.values(CURVES).find((c) => c.oidHex === curveOidHex);
  return { curve, curveOidHex, point: der.subarray(bits.start + 1, bits.end) };
}
