// OBIS data sets and their values: "1-0:1.8.1(000004.426*kWh)" → code + value groups, and exact
// conversion of decimal register text to SI units by string arithmetic (never through float
// rounding: 0.1 + 0.2 must not leak into a bill).

/** One data set of a data line: the code exactly as written and its parenthesised groups. */
export interface DataSet {
  /** OBIS code as written ("1-0:1.8.1", "1.8.1", "1-0:1.8.0*255", "C.1.0"); '' for a continuation line. */
  code: string;
  /** The raw text inside each "(...)" in order, untrimmed. */
  groups: string[];
}

/** A register value split into number text and unit; both trimmed of spaces. */
export interface ValueUnit {
  value: string;
  unit?: string;
}

const CODE_RE = /^[0-9A-Za-z][0-9A-Za-z:.\-*&]*$/;
// Printable ASCII except the parentheses that delimit groups.
const GROUP_RE = /^[\x20-\x27\x2a-\x7e]*$/;

/**
 * Parse one data line (no STX, no trailing CR) into its data sets. IEC 62056-21 allows several
 * data sets on one line ("1.8.1(1*kWh)1.8.2(2*kWh)"); DSMR puts several groups after one code.
 * A line of groups only ("(00001.001)", DSMR 2.2 gas) yields one data set with code ''.
 * Returns null when the line is not well-formed.
 */
export function parseDataLine(line: string): DataSet[] | null {
  const sets: DataSet[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const open = line.indexOf('(', i);
    if (open < 0) return null;
    const code = line.slice(i, open);
    if (code === '' ? sets.length > 0 : !CODE_RE.test(code)) return null;
    const groups: string[] = [];
    i = open;
    while (i < n && line.charCodeAt(i) === 0x28) {
      const close = line.indexOf(')', i + 1);
      if (close < 0) return null;
      const g = line.slice(i + 1, close);
      if (!GROUP_RE.test(g)) return null;
      groups.push(g);
      i = close + 1;
    }
    sets.push({ code, groups });
  }
  return sets.length ? sets : null;
}

/** Split "000004.426*kWh" into value "000004.426" and unit "kWh"; spaces around either are dropped. */
export function splitValueUnit(group: string): ValueUnit {
  const star = group.indexOf('*');
  if (star < 0) return { value: group.trim() };
  return { value: group.slice(0, star).trim(), unit: group.slice(star + 1).trim() };
}

/** Physical quantities a reading field can hold. */
export type Quantity = 'energy' | 'power' | 'voltage' | 'current' | 'frequency';

// Canonical unit → [quantity, power-of-ten shift to the SI base unit the reading uses].
const UNIT_SHIFT: Record<string, [Quantity, number]> = {
  Wh: ['energy', 0], kWh: ['energy', 3], MWh: ['energy', 6],
  W: ['power', 0], kW: ['power', 3], MW: ['power', 6],
  V: ['voltage', 0], kV: ['voltage', 3], mV: ['voltage', -3],
  A: ['current', 0], mA: ['current', -3], kA: ['current', 3],
  Hz: ['frequency', 0],
};
// Units that meters send but that no reading field takes; known, so not "unknown_unit".
const OTHER_UNITS = [
  'varh', 'kvarh', 'Mvarh', 'var', 'kvar', 'Mvar', 'VA', 'kVA', 'MVA', 'VAh', 'kVAh', 'MVAh',
  'm3', 'l', 'GJ', 'MJ', 'kJ', 'J', 's', 'min', 'h', '%', 'C', '°C', 'K', 'deg', 'Ah',
];
const CANONICAL = new Map<string, string>();
for (const u of [...Object.keys(UNIT_SHIFT), ...OTHER_UNITS]) CANONICAL.set(u.toLowerCase(), u);
// Upper/lower-case spellings collide only for milli vs mega; meters never send mWh or MA.
CANONICAL.set('mwh', 'MWh');
CANONICAL.set('mw', 'MW');
CANONICAL.set('ma', 'mA');
CANONICAL.set('mv', 'mV');

/** The canonical spelling of a unit ("KWH" → "kWh"), or undefined if the unit is unknown. */
export function canonicalUnit(unit: string): string | undefined {
  return CANONICAL.get(unit.toLowerCase());
}

/** Power-of-ten shift from `unit` to the base unit of `q` (kWh → 3 for energy), or undefined if incompatible/unknown. */
export function unitShift(unit: string, q: Quantity): number | undefined {
  const c = canonicalUnit(unit);
  const e = c === undefined ? undefined : UNIT_SHIFT[c];
  return e && e[0] === q ? e[1] : undefined;
}

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** True when `text` is a plain decimal number such as "000004.426", "-1.5" or "12". */
export function isDecimal(text: string): boolean {
  const m = DECIMAL_RE.exec(text);
  return m !== null && (m[2] + (m[3] ?? '')).length > 0;
}

/**
 * Move the decimal point of `text` right by `shift` places (left if negative) and return the
 * integer part as digit text plus the dropped fraction digits. Pure string arithmetic.
 */
function shiftDecimal(text: string, shift: number): { neg: boolean; int: string; frac: string } | null {
  const m = DECIMAL_RE.exec(text);
  if (!m || (m[2] + (m[3] ?? '')).length === 0) return null;
  let int = m[2];
  let frac = m[3] ?? '';
  if (shift >= 0) {
    frac = frac.padEnd(shift, '0');
    int += frac.slice(0, shift);
    frac = frac.slice(shift);
  } else {
    int = int.padStart(-shift, '0');
    frac = int.slice(int.length + shift) + frac;
    int = int.slice(0, int.length + shift);
  }
  return { neg: m[1] === '-', int, frac };
}

/**
 * Exact decimal text → integer in 10^-shift units ("000004.426", 3 → 4426).
 * Rounding rule for digits below one unit: 'trunc' drops them (energy registers: a register
 * shows whole units only once they are complete, and truncation keeps a rising register
 * rising), 'round' rounds half away from zero (power). Null if not a decimal or beyond 2^53.
 */
export function decimalToInt(text: string, shift: number, rounding: 'trunc' | 'round'): number | null {
  const s = shiftDecimal(text, shift);
  if (!s) return null;
  let n = s.int === '' ? 0 : Number(s.int);
  if (rounding === 'round' && s.frac.charCodeAt(0) >= 0x35) n += 1;
  if (!Number.isSafeInteger(n)) return null;
  return s.neg && n !== 0 ? -n : n;
}

/** Exact decimal text scaled by 10^shift, as the nearest JS number (V, A, Hz at meter precision). */
export function decimalToNumber(text: string, shift: number): number | null {
  const s = shiftDecimal(text, shift);
  if (!s) return null;
  const v = Number(`${s.int || '0'}.${s.frac || '0'}`);
  if (!Number.isFinite(v)) return null;
  return s.neg && v !== 0 ? -v : v;
}

/** Number of decimals in a decimal text ("000123.456" → 3); used for the register resolution. */
export function decimalPlaces(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** Strip a default billing-period suffix: "1-0:1.8.0*255" → "1-0:1.8.0" (other *F values are kept). */
export function stripDefaultF(code: string): string {
  return code.endsWith('*255') ? code.slice(0, -4) : code;
}

/** The C.D.E part of an OBIS code ("1-0:1.8.1" → "1.8.1"), with a default *255 stripped. */
export function shortCode(code: string): string {
  const c = stripDefaultF(code);
  const colon = c.indexOf(':');
  return colon < 0 ? c : c.slice(colon + 1);
}
