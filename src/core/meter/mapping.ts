// Profile field rules → reading fields. Registers are found by key with OBIS-aware matching:
// "1-0:1.8.1" in a profile matches "1-0:1.8.1", "1-0:1.8.1*255" and a short-form "1.8.1" in the
// telegram; a short profile key "1.8.1" matches any A-B. Other billing periods (*F ≠ 255) match
// only when the profile names them exactly.
import type { MeterReading } from '../types';
import { decodeHexAscii, dsmrTimeToIso } from './dsmr';
import type { ParsedValue, RejectReason } from './events';
import { decimalPlaces, decimalToInt, decimalToNumber, shortCode, stripDefaultF, unitShift, type Quantity } from './obis';
import type { FieldRule, FieldTerm, MeterProfile, ProfileFields } from './profile';
import type { TelegramValues } from './values';

/** Reading fields computed from one telegram, before id, sequence and clock are added. */
export type MappedFields = Pick<MeterReading, 'meterTime' | 'energyImportWh' | 'energyExportWh' | 'powerW' | 'voltageV' | 'currentA' | 'frequencyHz' | 'raw'>;

/** Mapping result: fields plus the register resolution (Wh per last digit) for the jump check. */
export interface Mapped {
  fields: MappedFields;
  resolutionWh: { import: number; export: number };
}

/** A mapping failure that rejects the telegram. */
export interface MapProblem {
  reason: RejectReason;
  detail: string;
}

type Found = { code: string; pv: ParsedValue };
type Eval = { v: number | string; res: number } | 'missing' | MapProblem;

/** Index of a telegram's registers for profile-key lookup. */
class RegisterIndex {
  private readonly map = new Map<string, Found>();

  constructor(values: Record<string, ParsedValue>) {
    for (const [code, pv] of Object.entries(values)) {
      const f = { code, pv };
      this.put(code, f);
      const base = stripDefaultF(code);
      this.put(base, f);
      if (base.includes('*')) continue;
      this.put((code.includes(':') ? 'f:' : 's:') + shortCode(code), f);
    }
  }

  private put(k: string, f: Found): void {
    if (!this.map.has(k)) this.map.set(k, f);
  }

  /** Find the register a profile key names, or undefined. */
  get(key: string): Found | undefined {
    const k = stripDefaultF(key);
    const hit = this.map.get(k);
    if (hit || k.includes('*')) return hit;
    if (k.includes(':')) return this.map.get(`s:${shortCode(k)}`);
    return k.includes('.') ? this.map.get(`f:${k}`) : undefined;
  }
}

const QUANTITY: Record<Exclude<keyof ProfileFields, 'meterTime'>, Quantity> = {
  energyImportWh: 'energy', energyExportWh: 'energy', powerW: 'power',
  voltageV: 'voltage', currentA: 'current', frequencyHz: 'frequency',
};

function isProblem(e: Eval): e is MapProblem {
  return typeof e === 'object' && 'reason' in e;
}

/** Evaluates a profile's field rules against telegrams. */
export class FieldMapper {
  constructor(private readonly profile: MeterProfile) {}

  /** Compute the reading fields of one telegram, or the problem that rejects it. */
  map(tv: TelegramValues): Mapped | MapProblem {
    const idx = new RegisterIndex(tv.values);
    const used = new Set<string>();
    const fields: MappedFields = {};
    const res = { import: 1, export: 1 };
    const f = this.profile.fields;
    for (const name of ['energyImportWh', 'energyExportWh', 'powerW', 'frequencyHz'] as const) {
      const rule = f[name];
      if (rule === undefined) continue;
      const e = this.rule(rule, QUANTITY[name], idx, used);
      if (isProblem(e)) return e;
      if (e === 'missing') continue;
      fields[name] = e.v as number;
      if (name === 'energyImportWh') res.import = e.res;
      if (name === 'energyExportWh') res.export = e.res;
    }
    for (const name of ['voltageV', 'currentA'] as const) {
      const rules = f[name];
      if (!rules) continue;
      const phases: (number | null)[] = [];
      for (const r of rules) {
        const e = r === null ? 'missing' : this.rule(r, QUANTITY[name], idx, used);
        if (isProblem(e)) return e;
        phases.push(e === 'missing' ? null : (e.v as number));
      }
      if (phases.some((p) => p !== null)) fields[name] = phases;
    }
    if (f.meterTime !== undefined) {
      const e = this.rule(f.meterTime, 'time', idx, used);
      if (isProblem(e)) return e;
      if (e !== 'missing') fields.meterTime = e.v as string;
    }
    for (const name of this.profile.required ?? []) {
      if (fields[name] === undefined) return { reason: 'missing_register', detail: `required field ${name} is missing from the telegram` };
    }
    const raw: Record<string, string> = {};
    for (const code of used) raw[code] = tv.raw[code];
    fields.raw = raw;
    return { fields, resolutionWh: res };
  }

  /** The meter id the telegram carries per the profile, undefined if absent, or a problem. */
  meterId(tv: TelegramValues): string | undefined | MapProblem {
    const src = this.profile.meterId;
    if (!src?.key) return undefined;
    const found = new RegisterIndex(tv.values).get(src.key);
    const text = found?.pv.groups ? found.pv.groups[found.pv.groups.length - 1].trim() : found?.pv.value;
    if (!text) return undefined;
    if (src.encoding === 'text') return text;
    const decoded = decodeHexAscii(text);
    if (decoded === null && src.encoding === 'hex-ascii') return { reason: 'bad_value', detail: `meter id ${found!.code} is not hex-encoded ASCII: ${text}` };
    return decoded ?? text;
  }

  private rule(r: FieldRule, q: Quantity | 'time', idx: RegisterIndex, used: Set<string>): Eval {
    if (typeof r === 'object' && 'first' in r) {
      for (const alt of r.first) {
        const e = this.rule(alt, q, idx, used);
        if (e !== 'missing') return e;
      }
      return 'missing';
    }
    const terms: FieldTerm[] = typeof r === 'object' && 'sum' in r ? r.sum : [r];
    const found: { t: FieldTerm; f: Found }[] = [];
    for (const t of terms) {
      const f = idx.get(typeof t === 'string' ? t : t.key);
      if (!f || f.pv.value === '') return 'missing';
      found.push({ t, f });
    }
    let total = 0;
    let res = 0;
    for (const { t, f } of found) {
      const e = this.term(t, f, q);
      if (e === 'missing' || isProblem(e)) return e;
      used.add(f.code);
      if (q === 'time') return e;
      total += e.v as number;
      res += e.res;
    }
    return { v: total, res: Math.max(res, 1) };
  }

  private term(t: FieldTerm, f: Found, q: Quantity | 'time'): Eval {
    const text = f.pv.value;
    if (q === 'time') {
      const iso = dsmrTimeToIso(text, this.profile.meterTimeOffsets);
      return iso ? { v: iso, res: 0 } : { reason: 'bad_value', detail: `register ${f.code}: not a meter timestamp: ${text}` };
    }
    const unit = f.pv.unit ?? (typeof t === 'object' ? t.unit : undefined);
    if (unit === undefined) return { reason: 'unknown_unit', detail: `register ${f.code} has no unit and the profile gives none` };
    const shift = unitShift(unit, q);
    if (shift === undefined) return { reason: 'unknown_unit', detail: `register ${f.code}: unit "${unit}" is not a ${q} unit` };
    const neg = typeof t === 'object' && t.negate === true;
    let v: number | null;
    if (q === 'energy') v = decimalToInt(text, shift, 'trunc');
    else if (q === 'power') v = decimalToInt(text, shift, 'round');
    else v = decimalToNumber(text, shift);
    if (v === null) return { reason: 'bad_value', detail: `register ${f.code}: not a decimal number within range: ${text}` };
    // Resolution: what one step of the last digit is worth in the base unit (kWh with 3 decimals → 1 Wh).
    const res = q === 'energy' ? Math.max(1, 10 ** (shift - decimalPlaces(text))) : 0;
    return { v: neg ? (v === 0 ? 0 : -v) : v, res };
  }
}
