import { readTlv } from './curves';

/** How a signature's bytes were laid out, which decides the verdict's strictness. */
export type SignatureForm = 'der' | 'der-nonminimal' | 'raw';

/** A signature reduced to fixed-width r‖s (IEEE P1363), plus the form it arrived in. */
export interface DecodedSignature {
  rs: Buffer;
  form: SignatureForm;
}

function isMinimalInteger(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  if (bytes[0] & 0x80) return false; // negative: never valid for r or s
  // A leading 0x00 is only allowed when the next byte has its top bit set.
  return !(bytes.length > 1 && bytes[0] === 0 && !(bytes[1] & 0x80));
}

function fixedWidth(bytes: Uint8Array, n: number): Buffer | null {
  let b = Buffer.from(bytes);
  while (b.length > n && b[0] === 0) b = b.subarray(1);
  if (b.length > n) return null;
  return Buffer.concat([Buffer.alloc(n - b.length), b]);
}

/**
 * Decode signature bytes for a curve of `fieldBytes`:
 * - strict DER SEQUENCE { INTEGER r, INTEGER s } → form 'der';
 * - DER whose integers carry needless leading zeros → form 'der-nonminimal' (parsed leniently);
 * - exactly 2×fieldBytes bytes that are not DER → form 'raw' (r‖s as some meters send).
 * Returns null when the bytes are none of these.
 */
export function decodeSignature(sig: Uint8Array, fieldBytes: number): DecodedSignature | null {
  try {
    const seq = readTlv(sig, 0);
    if (seq.tag === 0x30 && seq.end === sig.length) {
      const r = readTlv(sig, seq.start);
      const s = readTlv(sig, r.end);
      if (r.tag === 0x02 && s.tag === 0x02 && s.end === seq.end) {
        const rb = sig.subarray(r.start, r.end);
        const sb = sig.subarray(s.start, s.end);
        const rf = fixedWidth(rb, fieldBytes);
        const sf = fixedWidth(sb, fieldBytes);
        if (rf && sf) {
          const rs = Buffer.concat([rf, sf]);
          // Strict DER has exactly one encoding: compare with our own minimal encoding.
          const strict = isMinimalInteger(rb) && isMinimalInteger(sb) && derFromRs(rs).equals(Buffer.from(sig));
          return { rs, form: strict ? 'der' : 'der-nonminimal' };
        }
      }
    }
  } catch {
    // not DER: fall through to the raw r‖s check
  }
  if (sig.length === 2 * fieldBytes) return { rs: Buffer.from(sig), form: 'raw' };
  return null;
}

/** DER-encode a fixed-width r‖s signature (minimal integers), as OCMF's default SM requires. */
export function derFromRs(rs: Uint8Array): Buffer {
  const half = rs.length / 2;
  const int = (b: Uint8Array): Buffer => {
    let x = Buffer.from(b);
    while (x.length > 1 && x[0] === 0 && !(x[1] & 0x80)) x = x.subarray(1);
    if (x[0] & 0x80) x = Buffer.concat([Buffer.from([0]), x]);
    return Buffer.concat([Buffer.from([2, x.length]), x]);
  };
  const body = Buffer.concat([int(rs.subarray(0, half)), int(rs.subarray(half))]);
  const len = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), len, body]);
}
