// Validation of tariffs, buy rates and the config payload, with errors that name the field.
import { minorDigits } from '../money/currency';
import { parseDecimal } from '../money/decimal';
import { TariffError } from './errors';
import { DAYS, type BuyRates, type Tariff, type TariffConfig } from './model';

const TIME_RE = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const DATE_RE = /^[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
const MONTH_DAY_RE = /^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
const DIMENSIONS = ['ENERGY', 'FLAT', 'PARKING_TIME', 'TIME'];

type Obj = Record<string, unknown>;

/**
 * Bounds on every number of a tariff, so that whatever a config passes, the exact engine can
 * compute (a price of 1e308 passed once and then failed every session). Far above any real tariff.
 */
export const TARIFF_BOUNDS = {
  /** Largest price per kWh, hour or session, and largest min/max_price, in major units. */
  price: 1_000_000,
  /** Largest VAT percentage. */
  vatPct: 100,
  /** Largest step_size: Wh or seconds. */
  stepSize: 100_000_000,
  /** Largest restriction value (kWh, A, W, s). */
  restriction: 1_000_000_000,
  /** Largest staleAfterS of dynamic prices. */
  staleAfterS: 366 * 24 * 3600,
} as const;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(path: string, what: string): never {
  throw new TariffError(`${path}: ${what}`);
}

function num(v: unknown, path: string, min = 0, max: number = TARIFF_BOUNDS.restriction): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, 'must be a number');
  if (v < min) fail(path, `must be >= ${min}`);
  if (v > max) fail(path, `must be <= ${max}`);
  return v;
}

function optNum(o: Obj, key: string, path: string, max?: number): void {
  if (o[key] !== undefined) num(o[key], `${path}.${key}`, 0, max);
}

function decimal(v: unknown, path: string, max: number = TARIFF_BOUNDS.price): void {
  if (typeof v !== 'string' && typeof v !== 'number') fail(path, 'must be a decimal number or string');
  if (typeof v === 'number' && (!Number.isFinite(v) || v > max)) fail(path, `must be a number <= ${max}`);
  try {
    const d = parseDecimal(v);
    if (d.num < 0n) fail(path, 'must not be negative');
    if (d.num > BigInt(max) * d.den) fail(path, `must be <= ${max}`);
  } catch (e) {
    if (e instanceof TariffError) throw e;
    fail(path, 'must be a decimal number');
  }
}

function pattern(v: unknown, re: RegExp, path: string, what: string): void {
  if (v !== undefined && (typeof v !== 'string' || !re.test(v))) fail(path, `must be ${what}`);
}

function days(v: unknown, path: string): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.some((d) => !DAYS.includes(d))) fail(path, `must be a list of ${DAYS.join('/')}`);
}

function currency(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, 'must be an ISO 4217 code');
  try {
    minorDigits(v);
  } catch {
    fail(path, 'must be an ISO 4217 code');
  }
  return v;
}

function dateTime(v: unknown, path: string): void {
  if (v !== undefined && (typeof v !== 'string' || Number.isNaN(Date.parse(v)))) fail(path, 'must be an ISO 8601 date-time');
}

/** Check an OCPI 2.2.1 Tariff object; returns it typed or throws TariffError naming the field. */
export function parseTariff(input: unknown, path = 'tariff'): Tariff {
  if (!isObj(input)) fail(path, 'must be an object');
  if (typeof input.id !== 'string' || input.id === '') fail(`${path}.id`, 'must be a non-empty string');
  currency(input.currency, `${path}.currency`);
  for (const key of ['min_price', 'max_price']) {
    const p = input[key];
    if (p === undefined) continue;
    if (!isObj(p)) fail(`${path}.${key}`, 'must be a Price object');
    num(p.excl_vat, `${path}.${key}.excl_vat`, 0, TARIFF_BOUNDS.price);
    optNum(p, 'incl_vat', `${path}.${key}`, TARIFF_BOUNDS.price);
  }
  dateTime(input.start_date_time, `${path}.start_date_time`);
  dateTime(input.end_date_time, `${path}.end_date_time`);
  if (!Array.isArray(input.elements) || input.elements.length === 0) fail(`${path}.elements`, 'must be a non-empty list');
  input.elements.forEach((el: unknown, i: number) => {
    const ep = `${path}.elements[${i}]`;
    if (!isObj(el)) fail(ep, 'must be an object');
    if (!Array.isArray(el.price_components) || el.price_components.length === 0) fail(`${ep}.price_components`, 'must be a non-empty list');
    el.price_components.forEach((pc: unknown, j: number) => {
      const pp = `${ep}.price_components[${j}]`;
      if (!isObj(pc)) fail(pp, 'must be an object');
      if (!DIMENSIONS.includes(pc.type as string)) fail(`${pp}.type`, `must be one of ${DIMENSIONS.join('/')}`);
      decimal(pc.price, `${pp}.price`);
      optNum(pc, 'vat', pp, TARIFF_BOUNDS.vatPct);
      if (!Number.isInteger(pc.step_size) || (pc.step_size as number) < (pc.type === 'FLAT' ? 0 : 1)) fail(`${pp}.step_size`, 'must be a positive integer');
      if ((pc.step_size as number) > TARIFF_BOUNDS.stepSize) fail(`${pp}.step_size`, `must be <= ${TARIFF_BOUNDS.stepSize}`);
    });
    const r = el.restrictions;
    if (r === undefined) return;
    const rp = `${ep}.restrictions`;
    if (!isObj(r)) fail(rp, 'must be an object');
    pattern(r.start_time, TIME_RE, `${rp}.start_time`, '"HH:MM"');
    pattern(r.end_time, TIME_RE, `${rp}.end_time`, '"HH:MM"');
    pattern(r.start_date, DATE_RE, `${rp}.start_date`, '"YYYY-MM-DD"');
    pattern(r.end_date, DATE_RE, `${rp}.end_date`, '"YYYY-MM-DD"');
    for (const k of ['min_kwh', 'max_kwh', 'min_current', 'max_current', 'min_power', 'max_power', 'min_duration', 'max_duration']) optNum(r, k, rp);
    days(r.day_of_week, `${rp}.day_of_week`);
    if (r.reservation !== undefined) {
      if (r.reservation !== 'RESERVATION' && r.reservation !== 'RESERVATION_EXPIRES') fail(`${rp}.reservation`, 'must be RESERVATION or RESERVATION_EXPIRES');
      // OCPI: a reservation element can only have FLAT and TIME components.
      const other = (el.price_components as Obj[]).findIndex((pc) => pc.type !== 'FLAT' && pc.type !== 'TIME');
      if (other >= 0) fail(`${ep}.price_components[${other}].type`, 'a reservation element can only have FLAT and TIME');
    }
  });
  return input as Tariff;
}

/** Check buy rates; at least a fixed rate or time-of-use bands are required. */
export function parseBuyRates(input: unknown, path = 'buy'): BuyRates {
  if (!isObj(input)) fail(path, 'must be an object');
  currency(input.currency, `${path}.currency`);
  if (input.fixedPricePerKWh !== undefined) decimal(input.fixedPricePerKWh, `${path}.fixedPricePerKWh`);
  if (input.timeOfUse !== undefined) {
    if (!Array.isArray(input.timeOfUse)) fail(`${path}.timeOfUse`, 'must be a list');
    input.timeOfUse.forEach((b: unknown, i: number) => {
      const bp = `${path}.timeOfUse[${i}]`;
      if (!isObj(b)) fail(bp, 'must be an object');
      decimal(b.pricePerKWh, `${bp}.pricePerKWh`);
      pattern(b.startTime, TIME_RE, `${bp}.startTime`, '"HH:MM"');
      pattern(b.endTime, TIME_RE, `${bp}.endTime`, '"HH:MM"');
      days(b.days, `${bp}.days`);
      if (b.season !== undefined) {
        if (!isObj(b.season)) fail(`${bp}.season`, 'must be {from, to}');
        pattern(b.season.from, MONTH_DAY_RE, `${bp}.season.from`, '"MM-DD"');
        pattern(b.season.to, MONTH_DAY_RE, `${bp}.season.to`, '"MM-DD"');
      }
    });
  }
  if (input.fixedPricePerKWh === undefined && !input.timeOfUse) fail(path, 'needs fixedPricePerKWh or timeOfUse');
  if (input.dynamic !== undefined) {
    if (!isObj(input.dynamic)) fail(`${path}.dynamic`, 'must be {staleAfterS}');
    num(input.dynamic.staleAfterS, `${path}.dynamic.staleAfterS`, 1, TARIFF_BOUNDS.staleAfterS);
  }
  return input as unknown as BuyRates;
}

/** Check an IANA time zone name with Intl (throws TariffError if unknown). */
export function checkTimeZone(tz: unknown, path = 'timezone'): string {
  if (typeof tz !== 'string' || tz === '') fail(path, 'must be an IANA time zone name');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    fail(path, `unknown time zone "${tz}"`);
  }
  return tz;
}

/** Check the whole `config/tariffs` payload (sell tariff, optional buy rates, time zone, version). */
export function parseTariffConfig(input: unknown): TariffConfig {
  if (!isObj(input)) fail('config', 'must be an object');
  if (!Number.isInteger(input.version) || (input.version as number) < 0) fail('config.version', 'must be a whole number >= 0');
  if (input.timezone !== undefined) checkTimeZone(input.timezone, 'config.timezone');
  const sell = parseTariff(input.sell, 'config.sell');
  if (input.buy !== undefined) {
    const buy = parseBuyRates(input.buy, 'config.buy');
    if (buy.currency !== sell.currency) fail('config.buy.currency', `must equal the sell currency ${sell.currency}`);
  }
  return input as unknown as TariffConfig;
}
