// DSMR P1 specifics: telegram encoding with CRC-16/ARC (for the simulator and tests), the meter's
// YYMMDDhhmmssX timestamp, hex-ASCII equipment ids and M-Bus channel extraction.
import { crc16arcText, formatCrc16 } from './crc16';
import type { MbusChannel } from '../types';
import type { ParsedValue } from './events';
import { splitValueUnit } from './obis';

/**
 * Encode a DSMR 4/5 telegram: "/ident", a blank line, one "code(value)" line per field, then "!"
 * and the CRC-16/ARC over every byte from "/" through "!", all lines ending in CRLF.
 * `ident` is given without the leading "/"; a value may contain ")(" to write several groups.
 */
export function encodeDsmrTelegram(fields: Array<[obis: string, value: string]>, ident: string): string {
  const body = `/${ident.replace(/^\//, '')}\r\n\r\n${fields.map(([code, value]) => `${code}(${value})\r\n`).join('')}!`;
  return `${body}${formatCrc16(crc16arcText(body))}\r\n`;
}

/** Hex-encode an ASCII id the way DSMR meters send equipment ids ("CP1-1" → "4350312D31"). */
export function hexAscii(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += text.charCodeAt(i).toString(16).toUpperCase().padStart(2, '0');
  return out;
}

/** Decode hex-ASCII ("4B3845" → "K8E"); null unless it is even-length hex of printable ASCII. */
export function decodeHexAscii(hex: string): string | null {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) return null;
  let out = '';
  for (let i = 0; i < hex.length; i += 2) {
    const c = parseInt(hex.slice(i, i + 2), 16);
    if (c < 0x20 || c > 0x7e) return null;
    out += String.fromCharCode(c);
  }
  return out;
}

/** UTC offsets the DST flag of a DSMR timestamp stands for. */
export interface DstOffsets {
  W: string;
  S: string;
}

/** Dutch and Belgian meters: W = CET, S = CEST. */
export const CET_OFFSETS: DstOffsets = { W: '+01:00', S: '+02:00' };

/**
 * DSMR timestamp "YYMMDDhhmmssX" → ISO 8601 with offset. X = 'W' (winter) or 'S' (summer),
 * mapped through `offsets` (default CET/CEST as Dutch and Belgian meters use it); without X
 * the time is written without offset. Null when malformed.
 */
export function dsmrTimeToIso(text: string, offsets: DstOffsets = CET_OFFSETS): string | null {
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})([WS]?)$/.exec(text.trim());
  if (!m) return null;
  const [, yy, mo, dd, hh, mi, ss, dst] = m;
  if (+mo < 1 || +mo > 12 || +dd < 1 || +dd > 31 || +hh > 23 || +mi > 59 || +ss > 60) return null;
  const off = dst === 'S' ? offsets.S : dst === 'W' ? offsets.W : '';
  return `20${yy}-${mo}-${dd}T${hh}:${mi}:${ss}${off}`;
}

export type { MbusChannel };

/** Collect the M-Bus channels (codes 0-n:24.x and 0-n:96.1.x with n ≥ 1) from a telegram's values. */
export function extractMbus(values: Record<string, ParsedValue>): MbusChannel[] {
  const byCh = new Map<number, MbusChannel>();
  for (const [code, v] of Object.entries(values)) {
    const m = /^0-([1-9]):(24\.1\.0|96\.1\.[01]|24\.2\.\d|24\.3\.0)(?:\*255)?$/.exec(code);
    if (!m) continue;
    const channel = Number(m[1]);
    const ch = byCh.get(channel) ?? { channel };
    byCh.set(channel, ch);
    if (m[2] === '24.1.0') {
      if (/^\d+$/.test(v.value)) ch.deviceType = Number(v.value);
    } else if (m[2].startsWith('96.1.')) {
      if (v.value !== '') ch.equipmentId = decodeHexAscii(v.value) ?? v.value;
    } else {
      // 24.2.x: (time)(value*unit); DSMR 2.2/3 24.3.0: (time)(..)(..)(..)(obis)(unit) then "(value)" on the next line.
      const groups = v.groups ?? [v.value];
      const last = splitValueUnit(groups[groups.length - 1]);
      ch.value = last.value;
      ch.unit = last.unit ?? (m[2] === '24.3.0' && groups.length >= 2 ? groups[groups.length - 2].trim() : undefined);
      const t = groups.length >= 2 ? dsmrTimeToIso(groups[0]) : null;
      if (t) ch.meterTime = t;
    }
  }
  return [...byCh.values()].sort((a, b) => a.channel - b.channel);
}
