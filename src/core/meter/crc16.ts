// CRC-16/ARC as DSMR 4+ uses it: polynomial 0x8005 reflected (0xA001), init 0, no final XOR,
// over the bytes from "/" through "!" inclusive.

const TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** CRC-16/ARC of `bytes`, continuing from `crc` (0 to start). */
export function crc16arc(bytes: Uint8Array, crc = 0): number {
  let c = crc;
  for (let i = 0; i < bytes.length; i++) c = (c >>> 8) ^ TABLE[(c ^ bytes[i]) & 0xff];
  return c;
}

/** The CRC as DSMR writes it: 4 upper-case hex digits. */
export function formatCrc16(crc: number): string {
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

/** CRC-16/ARC over the char codes of an ASCII/latin1 string (no Buffer allocation), continuing from `crc`. */
export function crc16arcText(text: string, crc = 0): number {
  let c = crc;
  for (let i = 0; i < text.length; i++) c = (c >>> 8) ^ TABLE[(c ^ text.charCodeAt(i)) & 0xff];
  return c;
}
