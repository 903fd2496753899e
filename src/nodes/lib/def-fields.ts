// Decoding a node's editor config: one set of field decoders (number with range and unit, enum,
// duration, id) that collect every problem and never fall back silently on a bad value.

/** A number field's rules. */
export interface NumberRule {
  /** The label the editor shows, for the problem text. */
  label: string;
  /** Unit for the problem text ("A", "s", "days"). */
  unit?: string;
  min?: number;
  max?: number;
  /** Only whole numbers. */
  integer?: boolean;
}

/** Reads a node's saved properties. Problems are collected; `done()` throws them all at once. */
export class DefReader {
  /** Every problem found so far, in words for the technician. */
  readonly problems: string[] = [];

  constructor(private readonly def: Record<string, unknown>) {}

  /** The raw value; an empty field (undefined, null, '') is absent. */
  raw(key: string): unknown {
    const v = this.def[key];
    return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ? undefined : v;
  }

  /** A number; absent gives `fallback` (the documented default), a bad value is a problem (and gives the default). */
  number(key: string, fallback: number, rule: NumberRule): number {
    return this.optNumber(key, rule) ?? fallback;
  }

  /** A number, or undefined when the field is empty. */
  optNumber(key: string, rule: NumberRule): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : Number.NaN;
    const unit = rule.unit ? ` ${rule.unit}` : '';
    if (!Number.isFinite(n)) return this.problem(`${rule.label} must be a number${unit ? ` (in${unit})` : ''}, got ${JSON.stringify(v)}`);
    if (rule.integer && !Number.isInteger(n)) return this.problem(`${rule.label} must be a whole number, got ${n}`);
    if (rule.min !== undefined && n < rule.min) return this.problem(`${rule.label} must be at least ${rule.min}${unit}, got ${n}`);
    if (rule.max !== undefined && n > rule.max) return this.problem(`${rule.label} must be at most ${rule.max}${unit}, got ${n}`);
    return n;
  }

  /** A duration given in seconds, as ms. */
  durationMs(key: string, fallbackS: number, rule: Omit<NumberRule, 'unit'>): number {
    return Math.round(this.number(key, fallbackS, { ...rule, unit: 's' }) * 1000);
  }

  /** One of the listed values; absent gives `fallback`. */
  oneOf<T extends string>(key: string, values: readonly T[], fallback: T, label: string): T {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    if (!values.includes(String(v) as T)) return this.problem(`${label} must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`) ?? fallback;
    return String(v) as T;
  }

  /** An id (station, charger, meter): letters, digits, . _ - ; absent gives `fallback` (required when none). */
  id(key: string, label: string, fallback?: string): string {
    const v = this.raw(key);
    if (v === undefined) {
      if (fallback === undefined) this.problem(`${label} is required`);
      return fallback ?? '';
    }
    const s = String(v).trim();
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(s)) this.problem(`${label} may hold letters, digits, '.', '_' and '-' only (1 to 128), got ${JSON.stringify(s)}`);
    return s;
  }

  /** A free text; absent gives `fallback`. */
  text(key: string, fallback = ''): string {
    const v = this.raw(key);
    return v === undefined ? fallback : String(v).trim();
  }

  /** A checkbox; absent gives `fallback`. */
  bool(key: string, fallback: boolean): boolean {
    const v = this.def[key];
    return v === undefined || v === null || v === '' ? fallback : v === true || v === 'true';
  }

  /** Record a problem; returns undefined so a decoder can `return this.problem(…)`. */
  problem(text: string): undefined {
    this.problems.push(text);
    return undefined;
  }

  /** Throw every problem at once (the node then stops with a red status and the list in the log). */
  done(nodeType: string): void {
    if (this.problems.length) throw new Error(`${nodeType}: ${this.problems.join('; ')}`);
  }
}
