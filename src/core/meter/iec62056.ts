// IEC 62056-21 (formerly IEC 1107) specifics: the block check character, the identification
// line "/XXXZ<ident>" and the mode C sign-on / acknowledgement messages.

/** XOR of the char codes of `text` (the BCC contribution of an ASCII string). */
export function bccOfText(text: string): number {
  let x = 0;
  for (let i = 0; i < text.length; i++) x ^= text.charCodeAt(i);
  return x & 0xff;
}

/**
 * BCC of a whole message: XOR of every byte after the first SOH (0x01) or STX (0x02) up to and
 * including ETX (0x03) or EOT (0x04). `bytes` may include the leading SOH/STX and the trailing BCC.
 */
export function iecBcc(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] !== 0x01 && bytes[i] !== 0x02) i++;
  let x = 0;
  for (i++; i < bytes.length; i++) {
    x ^= bytes[i];
    if (bytes[i] === 0x03 || bytes[i] === 0x04) break;
  }
  return x;
}

/** The parts of an identification line. */
export interface IecIdentification {
  /** Three-letter manufacturer id ("ISK"). */
  manufacturer: string;
  /** Baud-rate character Z ('0'..'6' in mode C, 'A'..'I' in mode B). */
  baudChar: string;
  /** Baud rate the meter offers for the data readout, when Z is a mode C character. */
  baudRate?: number;
  /** Enhanced capability text after "\" ("\2" in DSMR idents), if any. */
  capability?: string;
  /** Meter type identification after Z (and the capability escape). */
  ident: string;
}

const MODE_C_BAUD = [300, 600, 1200, 2400, 4800, 9600, 19200];

/** Parse "/ISk5\2MT382-1000" (CR optional); null when it is not an identification line. */
export function parseIdentification(line: string): IecIdentification | null {
  const m = /^\/([A-Za-z]{3})([0-9A-Za-z])(?:\\(\w))?([^\r]*)\r?$/.exec(line);
  if (!m) return null;
  const z = m[2];
  const id: IecIdentification = { manufacturer: m[1], baudChar: z, ident: m[4] };
  if (z >= '0' && z <= '6') id.baudRate = MODE_C_BAUD[Number(z)];
  if (m[3] !== undefined) id.capability = m[3];
  return id;
}

/** The sign-on request "/?<address>!\r\n" (address optional, up to 32 characters). */
export function signOnRequest(address = ''): string {
  return `/?${address}!\r\n`;
}

/**
 * Mode C acknowledgement/option select: ACK, protocol control '0' (normal), the baud-rate
 * character Z to switch to, and mode '0' (data readout), then CRLF.
 */
export function ackOptionSelect(baudChar: string, mode: '0' | '1' = '0'): string {
  return `\x060${baudChar}${mode}\r\n`;
}
