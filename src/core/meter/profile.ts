// Meter profiles: JSON data that maps a meter's registers (OBIS codes or line patterns) to a
// MeterReading. A new meter is a profile, not code. The format is documented in
// hardware/meters/README.md; validateProfile is the single gate every profile passes through.

/** Wire protocols the decoder understands. */
export type MeterProtocol = 'dsmr' | 'iec62056-21' | 'lines';

/** Checksum policy: 'auto' requires a CRC once the telegram declares DSMR >= 4 or one was seen. */
export type ChecksumPolicy = 'required' | 'auto' | 'none';

/**
 * One term of a field rule: a register key (OBIS code as "1-0:1.8.1" or "1.8.1", or a pattern key),
 * optionally negated (export power subtracted) and with a unit assumed when the line carries none.
 */
export type FieldTerm = string | { key: string; negate?: boolean; unit?: string };

/**
 * How one reading field is computed: a single term, `{sum: [...]}` (all terms must be present,
 * e.g. import = 1.8.1 + 1.8.2), or `{first: [...]}` (the first alternative whose registers exist).
 */
export type FieldRule = FieldTerm | { sum: FieldTerm[] } | { first: FieldRule[] };

/** A regex line pattern for boards that print `key=value` lines instead of OBIS data sets. */
export interface LinePattern {
  /** Register key the match is stored under (appears in `values` and `raw`). */
  key: string;
  /** JavaScript regex source; named group `value` (or group 1) and optional `unit` (or group 2). */
  regex: string;
  /** Unit to assume when the line has none, e.g. "Wh". */
  unit?: string;
}

/** Where the meter id comes from. */
export interface MeterIdSource {
  /** Register key holding the id, e.g. "0-0:96.1.1". */
  key?: string;
  /** 'hex-ascii': decode hex to ASCII; 'auto': decode when it is printable hex-ASCII; 'text': as sent. */
  encoding?: 'hex-ascii' | 'auto' | 'text';
  /** Reject a telegram without an id (reason missing_register) instead of using the configured id. */
  required?: boolean;
}

/** IEC 62056-21 mode C/D link settings for optical heads and polled meters. */
export interface IecSettings {
  mode: 'C' | 'D';
  /** Baud rate of the sign-on, 300 for optical heads. */
  initialBaud: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  /** Switch to the baud rate the identification line offers (mode C acknowledgement). */
  switchBaud: boolean;
}

/** Framing for the 'lines' protocol: a record runs from `begin` (optional) to `end`. */
export interface LinesFraming {
  /** Regex source of a line that starts a record; when absent a record starts after the previous end. */
  begin?: string;
  /** Regex source of the line that completes a record. */
  end: string;
  /** Lines matching no pattern are ignored instead of rejecting the record as garbage. */
  ignoreUnmatched?: boolean;
}

/** Reading fields a profile can fill. */
export interface ProfileFields {
  energyImportWh?: FieldRule;
  energyExportWh?: FieldRule;
  powerW?: FieldRule;
  /** Per phase L1..L3; a missing phase becomes null in the reading. */
  voltageV?: FieldRule[];
  currentA?: FieldRule[];
  frequencyHz?: FieldRule;
  /** Register with the meter's own timestamp (DSMR YYMMDDhhmmssX). */
  meterTime?: FieldRule;
}

/** A meter profile as stored in hardware/meters/<name>.json. */
export interface MeterProfile {
  name: string;
  description?: string;
  protocol: MeterProtocol;
  /** Default 'auto' for dsmr, 'none' for lines; IEC uses the BCC whenever STX/ETX framing is present. */
  checksum?: ChecksumPolicy;
  fields: ProfileFields;
  /** Field names that must be present, else the telegram is rejected as missing_register. Default: none. */
  required?: (keyof ProfileFields)[];
  meterId?: MeterIdSource;
  /** UTC offsets of the meter clock's W/S (winter/summer) flag; default CET/CEST {W:"+01:00",S:"+02:00"}. */
  meterTimeOffsets?: { W: string; S: string };
  /** Rated power in W for the impossible-jump check; absent = no jump check. */
  ratedPowerW?: number;
  /** Expose DSMR M-Bus channels (0-n:24.x, gas/water/heat) as `reading.mbus`. */
  mbus?: boolean;
  /** Line patterns (protocol 'lines', or key=value lines inside IEC telegrams). */
  patterns?: LinePattern[];
  framing?: LinesFraming;
  /** Request sent every interval in polling mode, e.g. "/?!\r\n" (JSON escapes allowed). */
  poll?: { request: string; intervalMs?: number };
  /** Serial defaults for this meter (the port config may override). */
  serial?: { baud: number; dataBits: 7 | 8; parity: 'none' | 'even' | 'odd'; stopBits: 1 | 2 };
  iec?: IecSettings;
}

/** Every field name a profile may map. */
export const FIELD_NAMES: readonly (keyof ProfileFields)[] = [
  'energyImportWh', 'energyExportWh', 'powerW', 'voltageV', 'currentA', 'frequencyHz', 'meterTime',
];

const PHASED = new Set(['voltageV', 'currentA']);

function fail(path: string, msg: string): never {
  throw new Error(`invalid meter profile: ${path} ${msg}`);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkRegex(src: unknown, path: string): void {
  if (typeof src !== 'string' || src === '') fail(path, 'must be a non-empty regex string');
  try {
    new RegExp(src);
  } catch (e) {
    fail(path, `is not a valid regex: ${(e as Error).message}`);
  }
}

function checkTerm(t: unknown, path: string): void {
  if (typeof t === 'string') {
    if (t.trim() === '') fail(path, 'must not be empty');
    return;
  }
  if (!isObj(t) || typeof t.key !== 'string' || t.key === '') fail(path, 'must be a register key or {key, negate?, unit?}');
  if (t.negate !== undefined && typeof t.negate !== 'boolean') fail(`${path}.negate`, 'must be a boolean');
  if (t.unit !== undefined && typeof t.unit !== 'string') fail(`${path}.unit`, 'must be a string');
}

function checkRule(r: unknown, path: string): void {
  if (isObj(r) && 'sum' in r) {
    if (!Array.isArray(r.sum) || r.sum.length === 0) fail(`${path}.sum`, 'must be a non-empty array');
    r.sum.forEach((t, i) => checkTerm(t, `${path}.sum[${i}]`));
  } else if (isObj(r) && 'first' in r) {
    if (!Array.isArray(r.first) || r.first.length === 0) fail(`${path}.first`, 'must be a non-empty array');
    r.first.forEach((x, i) => checkRule(x, `${path}.first[${i}]`));
  } else checkTerm(r, path);
}

function oneOf(v: unknown, allowed: readonly unknown[], path: string): void {
  if (!allowed.includes(v)) fail(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(v)}`);
}

/** Check a parsed JSON object and return it typed as a MeterProfile; throws an Error naming the bad path. */
export function validateProfile(obj: unknown): MeterProfile {
  if (!isObj(obj)) fail('(root)', 'must be a JSON object');
  if (typeof obj.name !== 'string' || obj.name === '') fail('name', 'must be a non-empty string');
  oneOf(obj.protocol, ['dsmr', 'iec62056-21', 'lines'], 'protocol');
  if (obj.checksum !== undefined) oneOf(obj.checksum, ['required', 'auto', 'none'], 'checksum');
  if (!isObj(obj.fields)) fail('fields', 'must be an object');
  for (const [k, v] of Object.entries(obj.fields)) {
    if (!FIELD_NAMES.includes(k as keyof ProfileFields)) fail(`fields.${k}`, `is not a reading field (${FIELD_NAMES.join(', ')})`);
    if (PHASED.has(k)) {
      if (!Array.isArray(v) || v.length < 1 || v.length > 3) fail(`fields.${k}`, 'must be an array of 1 to 3 rules (L1..L3)');
      v.forEach((r, i) => { if (r !== null) checkRule(r, `fields.${k}[${i}]`); });
    } else checkRule(v, `fields.${k}`);
  }
  if (obj.required !== undefined) {
    if (!Array.isArray(obj.required)) fail('required', 'must be an array of field names');
    obj.required.forEach((f, i) => oneOf(f, FIELD_NAMES, `required[${i}]`));
  }
  if (obj.meterId !== undefined) {
    if (!isObj(obj.meterId)) fail('meterId', 'must be an object');
    if (obj.meterId.key !== undefined && typeof obj.meterId.key !== 'string') fail('meterId.key', 'must be a string');
    if (obj.meterId.encoding !== undefined) oneOf(obj.meterId.encoding, ['hex-ascii', 'auto', 'text'], 'meterId.encoding');
    if (obj.meterId.required !== undefined && typeof obj.meterId.required !== 'boolean') fail('meterId.required', 'must be a boolean');
  }
  if (obj.meterTimeOffsets !== undefined) {
    const o = obj.meterTimeOffsets;
    const re = /^(?:Z|[+-]\d{2}:\d{2})$/;
    if (!isObj(o) || typeof o.W !== 'string' || typeof o.S !== 'string' || !re.test(o.W) || !re.test(o.S)) fail('meterTimeOffsets', 'must be {"W": "+01:00", "S": "+02:00"} style offsets');
  }
  if (obj.ratedPowerW !== undefined && !(Number.isInteger(obj.ratedPowerW) && (obj.ratedPowerW as number) > 0)) fail('ratedPowerW', 'must be a positive integer (W)');
  if (obj.mbus !== undefined && typeof obj.mbus !== 'boolean') fail('mbus', 'must be a boolean');
  if (obj.patterns !== undefined) {
    if (!Array.isArray(obj.patterns)) fail('patterns', 'must be an array');
    obj.patterns.forEach((p, i) => {
      if (!isObj(p) || typeof p.key !== 'string' || p.key === '') fail(`patterns[${i}].key`, 'must be a non-empty string');
      checkRegex(p.regex, `patterns[${i}].regex`);
      if (p.unit !== undefined && typeof p.unit !== 'string') fail(`patterns[${i}].unit`, 'must be a string');
    });
  }
  if (obj.framing !== undefined) {
    if (!isObj(obj.framing)) fail('framing', 'must be an object');
    if (obj.framing.begin !== undefined) checkRegex(obj.framing.begin, 'framing.begin');
    checkRegex(obj.framing.end, 'framing.end');
  }
  if (obj.protocol === 'lines' && (!obj.patterns || !obj.framing)) fail('(root)', 'protocol "lines" needs patterns and framing');
  if (obj.poll !== undefined) {
    if (!isObj(obj.poll) || typeof obj.poll.request !== 'string' || obj.poll.request === '') fail('poll.request', 'must be a non-empty string');
    if (obj.poll.intervalMs !== undefined && !(Number.isInteger(obj.poll.intervalMs) && (obj.poll.intervalMs as number) > 0)) fail('poll.intervalMs', 'must be a positive integer (ms)');
  }
  if (obj.serial !== undefined) {
    const s = obj.serial;
    if (!isObj(s) || !(Number.isInteger(s.baud) && (s.baud as number) > 0)) fail('serial.baud', 'must be a positive integer');
    oneOf(s.dataBits, [7, 8], 'serial.dataBits');
    oneOf(s.parity, ['none', 'even', 'odd'], 'serial.parity');
    oneOf(s.stopBits, [1, 2], 'serial.stopBits');
  }
  if (obj.iec !== undefined) {
    const s = obj.iec;
    if (!isObj(s)) fail('iec', 'must be an object');
    oneOf(s.mode, ['C', 'D'], 'iec.mode');
    if (!(Number.isInteger(s.initialBaud) && (s.initialBaud as number) > 0)) fail('iec.initialBaud', 'must be a positive integer');
    oneOf(s.dataBits, [7, 8], 'iec.dataBits');
    oneOf(s.parity, ['none', 'even', 'odd'], 'iec.parity');
    oneOf(s.stopBits, [1, 2], 'iec.stopBits');
    if (typeof s.switchBaud !== 'boolean') fail('iec.switchBaud', 'must be a boolean');
  }
  return obj as unknown as MeterProfile;
}
