// IEC 62056-21 mode C link constants and helpers for the sign-on; the message formats
// themselves live in the pure core (src/core/meter/iec62056.ts).
import { ackOptionSelect as coreAck, parseIdentification, signOnRequest } from '../../core/meter/iec62056';

/** Optical heads always start at 300 baud, 7 data bits, even parity, 1 stop bit. */
export const IEC_INITIAL = { baudRate: 300, dataBits: 7, parity: 'even', stopBits: 1 } as const;

/** The sign-on request to any meter on the line. */
export const IEC_REQUEST = signOnRequest();

/** The identification with leading noise and trailing CR/LF removed. */
export function cleanIdent(line: string): string {
  return line.replace(/^[\0\s]+/, '').replace(/[\r\n]+$/, '');
}

/** Whether a line is a meter identification: "/XXXZ..." (three letters of maker, then the baud char). */
export function isIdentLine(line: string): boolean {
  return parseIdentification(cleanIdent(line)) !== null;
}

/** The baud character of an identification line (the fifth character). */
export function identBaudChar(ident: string): string {
  return parseIdentification(cleanIdent(ident))?.baudChar ?? '';
}

/** Baud rate offered by a mode C identification, or null if the char is not a mode C one. */
export function modeCBaudRate(ident: string): number | null {
  return parseIdentification(cleanIdent(ident))?.baudRate ?? null;
}

/** The acknowledgement/option select: ACK, protocol '0' (normal), the baud char, mode '0' (data readout). */
export function ackOptionSelect(baudChar: string): string {
  return coreAck(baudChar, '0');
}
