// What pricing works on: a session as time-ordered usage intervals in integer mWh and ms.
// Intervals come from the session's meter periods; an interval is split only where it
// straddles a price boundary, pro-rating by time (exact integer shares, sums preserved).
// Time the station held power back (heldS: admission, ramp, a 0 A setpoint) is taken out of
// parking, so the driver is never billed PARKING_TIME for the station's own decisions.
import type { Session } from '../types';
import { TariffError } from './errors';

/** One stretch of a session with homogeneous meter data. */
export interface UsageInterval {
  startMs: number;
  endMs: number;
  /** Energy delivered, integer mWh (1 Wh = 1000 mWh; OCPI CDR kWh can carry sub-Wh decimals). */
  energyMWh: number;
  /** Time charging within the interval, ms. */
  chargingMs: number;
  /** Time plugged in, not charging and not held by the station: billable parking, ms. */
  parkingMs: number;
  /** Time the station withheld power (admission, ramp, 0 A), ms; never billed as parking. */
  heldMs?: number;
  maxPowerW?: number | null;
  minPowerW?: number | null;
  /** Current as the restriction compares it, A (session data: peak of any phase). */
  maxCurrentA?: number | null;
  minCurrentA?: number | null;
}

/** A reservation before the session: [startMs, endMs); expired = not followed by charging. */
export interface ReservationUsage {
  startMs: number;
  endMs: number;
  expired: boolean;
}

/** A whole session for pricing: [startMs, endMs) and its intervals in time order. */
export interface Usage {
  startMs: number;
  endMs: number;
  intervals: UsageInterval[];
  /** The reservation that preceded the session (priced with RESERVATION elements), if any. */
  reservation?: ReservationUsage;
}

function isoMs(s: string, what: string): number {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new TariffError(`${what}: not an ISO 8601 time: "${s}"`);
  return t;
}

/** Held seconds, checked; absent = 0. Held time is part of idle time, so it is capped there. */
function heldOf(heldS: number | undefined, idleS: number, what: string): number {
  if (heldS === undefined) return 0;
  if (typeof heldS !== 'number' || !Number.isFinite(heldS) || heldS < 0) throw new TariffError(`${what} must be a number of seconds >= 0`);
  return Math.min(heldS, idleS);
}

/** Build Usage from a ChargeLedger Session (its `periods` meter series). */
export function usageFromSession(s: Session): Usage {
  const startMs = isoMs(s.startTime, 'session.startTime');
  const endMs = isoMs(s.endTime, 'session.endTime');
  if (endMs < startMs) throw new TariffError('session.endTime is before startTime');
  const intervals: UsageInterval[] = (s.periods ?? []).map((p, i) => {
    const a = isoMs(p.start, `session.periods[${i}].start`);
    const b = isoMs(p.end, `session.periods[${i}].end`);
    if (b < a) throw new TariffError(`session.periods[${i}] ends before it starts`);
    if (!Number.isInteger(p.energyWh) || p.energyWh < 0) throw new TariffError(`session.periods[${i}].energyWh must be a whole number >= 0`);
    const held = heldOf(p.heldS, p.idleS ?? 0, `session.periods[${i}].heldS`);
    return {
      startMs: a,
      endMs: b,
      energyMWh: p.energyWh * 1000,
      chargingMs: Math.round((p.chargingS ?? 0) * 1000),
      parkingMs: Math.round(((p.idleS ?? 0) - held) * 1000),
      heldMs: held * 1000,
      maxPowerW: p.maxPowerW ?? null,
      minPowerW: null,
      maxCurrentA: p.maxCurrentA ?? null,
      minCurrentA: null,
    };
  });
  if (intervals.length === 0 && (s.energyWh > 0 || s.durationS > 0)) {
    // A session without a meter series is priced as one interval (nothing else is known).
    const held = heldOf(s.heldS, s.idleTimeS, 'session.heldS');
    intervals.push({ startMs, endMs, energyMWh: s.energyWh * 1000, chargingMs: s.chargingTimeS * 1000, parkingMs: (s.idleTimeS - held) * 1000, heldMs: held * 1000, maxPowerW: s.peakPowerW, minPowerW: null, maxCurrentA: null, minCurrentA: null });
  }
  intervals.sort((x, y) => x.startMs - y.startMs);
  return { startMs, endMs, intervals };
}

function share(total: number, part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Number((BigInt(total) * BigInt(part) + BigInt(whole) / 2n) / BigInt(whole));
}

/** Split an interval at instant t (start < t < end); energy and times pro-rated by elapsed time. */
export function splitAt(iv: UsageInterval, t: number): [UsageInterval, UsageInterval] {
  const len = iv.endMs - iv.startMs;
  const dt = t - iv.startMs;
  const e = share(iv.energyMWh, dt, len);
  const c = share(iv.chargingMs, dt, len);
  const p = share(iv.parkingMs, dt, len);
  const h = share(iv.heldMs ?? 0, dt, len);
  return [
    { ...iv, endMs: t, energyMWh: e, chargingMs: c, parkingMs: p, heldMs: h },
    { ...iv, startMs: t, energyMWh: iv.energyMWh - e, chargingMs: iv.chargingMs - c, parkingMs: iv.parkingMs - p, heldMs: (iv.heldMs ?? 0) - h },
  ];
}

/** Split an interval so that exactly `energyMWh` falls in the first part (0 < energyMWh < total). */
export function splitAtEnergy(iv: UsageInterval, energyMWh: number): [UsageInterval, UsageInterval] {
  const len = iv.endMs - iv.startMs;
  const dt = share(len, energyMWh, iv.energyMWh);
  const c = share(iv.chargingMs, energyMWh, iv.energyMWh);
  const p = share(iv.parkingMs, energyMWh, iv.energyMWh);
  const h = share(iv.heldMs ?? 0, energyMWh, iv.energyMWh);
  return [
    { ...iv, endMs: iv.startMs + dt, energyMWh, chargingMs: c, parkingMs: p, heldMs: h },
    { ...iv, startMs: iv.startMs + dt, energyMWh: iv.energyMWh - energyMWh, chargingMs: iv.chargingMs - c, parkingMs: iv.parkingMs - p, heldMs: (iv.heldMs ?? 0) - h },
  ];
}

/** Cut intervals at every instant in `cuts` (sorted ascending) that falls strictly inside one. */
export function cutIntervals(intervals: UsageInterval[], cuts: number[]): UsageInterval[] {
  const out: UsageInterval[] = [];
  let k = 0;
  for (const iv of intervals) {
    let cur = iv;
    while (k < cuts.length && cuts[k] <= cur.startMs) k++;
    let j = k;
    while (j < cuts.length && cuts[j] < cur.endMs) {
      const [a, b] = splitAt(cur, cuts[j]);
      out.push(a);
      cur = b;
      j++;
    }
    out.push(cur);
  }
  return out;
}
