// Evaluation of OCPI TariffRestrictions against one homogeneous slice of a session.
import { DAYS, type TariffElement, type TariffRestrictions } from './model';
import { inTimeWindow, minutesOf, type LocalTime } from './localtime';
import type { UsageInterval } from './usage';

/** What restrictions look at: the slice's local start time and the session state at its start. */
export interface SliceContext {
  local: LocalTime;
  /** Energy delivered in the session before this slice, mWh. */
  energyBeforeMWh: number;
  /** Time since the session started, ms. */
  elapsedMs: number;
  slice: UsageInterval;
  /** Set when pricing reservation time: only elements with this `reservation` restriction apply. */
  reservation?: 'RESERVATION' | 'RESERVATION_EXPIRES';
}

function power(slice: UsageInterval, which: 'max' | 'min'): number | null {
  const given = which === 'max' ? slice.maxPowerW ?? slice.minPowerW : slice.minPowerW ?? slice.maxPowerW;
  if (given !== null && given !== undefined) return given;
  // Without a power reading, the average charging power of the slice stands in.
  if (slice.chargingMs > 0) return (slice.energyMWh * 3600) / slice.chargingMs;
  return slice.energyMWh > 0 ? null : 0;
}

/**
 * Whether every restriction present holds (logical AND). Unknown current or power makes a
 * current/power restriction fail, so the tariff falls through to the next element.
 */
export function restrictionsMatch(r: TariffRestrictions | undefined, ctx: SliceContext): boolean {
  // Reservation elements price only reservation time, and reservation time only those elements.
  if (r?.reservation !== ctx.reservation) return false;
  if (!r) return true;
  const { local } = ctx;
  if ((r.start_time !== undefined || r.end_time !== undefined) && !inTimeWindow(local.minuteOfDay, r.start_time, r.end_time)) return false;
  if (r.start_date !== undefined && local.date < r.start_date) return false;
  if (r.end_date !== undefined && local.date >= r.end_date) return false;
  if (r.day_of_week !== undefined && r.day_of_week.length > 0 && !r.day_of_week.includes(DAYS[local.dayIndex])) return false;
  if (r.min_kwh !== undefined && ctx.energyBeforeMWh < Math.round(r.min_kwh * 1e6)) return false;
  if (r.max_kwh !== undefined && ctx.energyBeforeMWh >= Math.round(r.max_kwh * 1e6)) return false;
  if (r.min_duration !== undefined && ctx.elapsedMs < r.min_duration * 1000) return false;
  if (r.max_duration !== undefined && ctx.elapsedMs >= r.max_duration * 1000) return false;
  if (r.min_power !== undefined) {
    const p = power(ctx.slice, 'min');
    if (p === null || p < r.min_power * 1000) return false;
  }
  if (r.max_power !== undefined) {
    const p = power(ctx.slice, 'max');
    if (p === null || p >= r.max_power * 1000) return false;
  }
  if (r.min_current !== undefined) {
    const a = ctx.slice.minCurrentA ?? ctx.slice.maxCurrentA;
    if (a === null || a === undefined || a < r.min_current) return false;
  }
  if (r.max_current !== undefined) {
    const a = ctx.slice.maxCurrentA ?? ctx.slice.minCurrentA;
    if (a === null || a === undefined || a >= r.max_current) return false;
  }
  return true;
}

/** Local minutes of day at which some element's applicability may change (always incl. midnight). */
export function timeBoundaries(elements: TariffElement[]): number[] {
  const set = new Set<number>([0]);
  for (const e of elements) {
    const r = e.restrictions;
    if (r?.start_time) set.add(minutesOf(r.start_time));
    if (r?.end_time) set.add(minutesOf(r.end_time));
  }
  return [...set];
}

/** Elapsed-time thresholds (ms after session start) from min/max_duration. */
export function durationBoundaries(elements: TariffElement[]): number[] {
  const out: number[] = [];
  for (const e of elements) {
    if (e.restrictions?.min_duration) out.push(e.restrictions.min_duration * 1000);
    if (e.restrictions?.max_duration) out.push(e.restrictions.max_duration * 1000);
  }
  return out;
}

/** Energy thresholds (mWh since session start) from min/max_kwh. */
export function energyBoundaries(elements: TariffElement[]): number[] {
  const out = new Set<number>();
  for (const e of elements) {
    if (e.restrictions?.min_kwh) out.add(Math.round(e.restrictions.min_kwh * 1e6));
    if (e.restrictions?.max_kwh) out.add(Math.round(e.restrictions.max_kwh * 1e6));
  }
  return [...out].sort((a, b) => a - b);
}
