// Field checks used by the contract parsers: each names the field it refuses.
import { ContractError } from './result';

/** A plain object (not null, not an array). */
export type Obj = Record<string, unknown>;

/** Refuse with a reason naming the field. */
export function refuse(field: string, what: string): never {
  throw new ContractError(`${field} ${what}`);
}

/** The value as a plain object, or refuse. */
export function obj(v: unknown, field: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) refuse(field, 'must be an object');
  return v as Obj;
}

/** A string of 1..max characters. */
export function str(v: unknown, field: string, max = 256): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) refuse(field, `must be a non-empty string of at most ${max} characters`);
  return v;
}

/** An id: a non-empty string, or a number given as an id (connector 1), as text. */
export function id(v: unknown, field: string, max = 128): string {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return str(v, field, max);
}

/** A finite number in [min, max]. */
export function num(v: unknown, field: string, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) refuse(field, 'must be a finite number');
  if (v < min || v > max) refuse(field, range(min, max));
  return v;
}

function range(min: number, max: number): string {
  if (max >= Number.MAX_SAFE_INTEGER || max === Infinity) return `must be >= ${min}`;
  if (min <= -Number.MAX_SAFE_INTEGER || min === -Infinity) return `must be <= ${max}`;
  return `must be between ${min} and ${max}`;
}

/** A safe integer in [min, max]. */
export function int(v: unknown, field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) refuse(field, 'must be a whole number');
  if (v < min || v > max) refuse(field, range(min, max));
  return v;
}

/** One of the listed values. */
export function oneOf<T extends string | number>(v: unknown, field: string, values: readonly T[]): T {
  if (!values.includes(v as T)) refuse(field, `must be one of ${values.join(', ')}`);
  return v as T;
}

/** An ISO 8601 date-time string that Date can read. */
export function isoTime(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length > 40 || Number.isNaN(Date.parse(v))) refuse(field, 'must be an ISO 8601 date-time');
  return v;
}

/** An array of at most `max` items, each checked. */
export function list<T>(v: unknown, field: string, item: (x: unknown, field: string) => T, max = 10_000): T[] {
  if (!Array.isArray(v)) refuse(field, 'must be an array');
  if (v.length > max) refuse(field, `must have at most ${max} items`);
  return v.map((x, i) => item(x, `${field}[${i}]`));
}

/** Check `o[key]` with `check` when present (undefined is absent; null is absent where `nullAbsent`). */
export function opt<T>(o: Obj, key: string, check: (v: unknown, field: string) => T, field = key): T | undefined {
  return o[key] === undefined ? undefined : check(o[key], field);
}

/** A per-phase value list (L1..L3): finite numbers or null, 1 to 3 of them. */
export function phases(v: unknown, field: string): (number | null)[] {
  return list(v, field, (x, f) => (x === null ? null : num(x, f)), 3);
}
