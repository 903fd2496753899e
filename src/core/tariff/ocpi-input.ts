// Read an OCPI 2.2.1 CDR or Session (start/end and charging_periods) into Usage.
// Each charging period lasts until the next one starts (the last until end_date_time).
// ENERGY is kWh, TIME and PARKING_TIME are hours, MAX/MIN_POWER kW, MAX/MIN_CURRENT A.
// A period that states neither TIME nor PARKING_TIME counts as charging when it has energy,
// as parking otherwise. Periods with RESERVATION_TIME (hours) are the reservation before the
// session (CDR start_date_time is then the reservation start); when no other period follows,
// the reservation expired without a charging session.
import { mul, parseDecimal, ratio, roundHalfUp } from '../money/decimal';
import { TariffError } from './errors';
import type { ReservationUsage, Usage, UsageInterval } from './usage';

type Obj = Record<string, unknown>;

function toThousandths(volume: unknown, factor: bigint, path: string): number {
  if (typeof volume !== 'number' && typeof volume !== 'string') throw new TariffError(`${path}: volume must be a number`);
  return Number(roundHalfUp(mul(parseDecimal(volume), ratio(factor))));
}

/** True when the JSON looks like an OCPI CDR/Session rather than a ChargeLedger record. */
export function isOcpiSession(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'start_date_time' in json && 'charging_periods' in json;
}

/** Convert an OCPI CDR/Session object to Usage. */
export function usageFromOcpi(json: unknown): Usage {
  const o = json as Obj;
  const startMs = Date.parse(String(o.start_date_time));
  const endMs = Date.parse(String(o.end_date_time ?? o.start_date_time));
  if (Number.isNaN(startMs) || Number.isNaN(endMs)) throw new TariffError('start_date_time/end_date_time must be ISO 8601 date-times');
  if (!Array.isArray(o.charging_periods)) throw new TariffError('charging_periods must be a list');
  const periods = (o.charging_periods as Obj[]).map((p, i) => ({ p, i, at: Date.parse(String(p?.start_date_time)) }));
  for (const { at, i } of periods) if (Number.isNaN(at)) throw new TariffError(`charging_periods[${i}].start_date_time must be an ISO 8601 date-time`);
  periods.sort((a, b) => a.at - b.at);
  const isReservation = (p: Obj): boolean => Array.isArray(p.dimensions) && (p.dimensions as Obj[]).some((d) => d?.type === 'RESERVATION_TIME');
  const reserved = periods.filter(({ p }) => isReservation(p));
  const charging = periods.filter(({ p }) => !isReservation(p));
  let reservation: ReservationUsage | undefined;
  if (reserved.length > 0) {
    let ms = 0;
    for (const { p, i } of reserved) {
      for (const d of p.dimensions as Obj[]) {
        const path = `charging_periods[${i}].${String(d.type)}`;
        if (d.type === 'RESERVATION_TIME') ms += toThousandths(d.volume, 3_600_000n, path);
        else if (d.type === 'ENERGY' || d.type === 'TIME' || d.type === 'PARKING_TIME') throw new TariffError(`${path}: a reservation period cannot carry ${String(d.type)}`);
      }
    }
    if (ms < 0) throw new TariffError('RESERVATION_TIME must not be negative');
    const at = reserved[0].at;
    reservation = { startMs: at, endMs: at + ms, expired: charging.length === 0 };
    if (charging.length > 0 && charging[0].at < reserved[reserved.length - 1].at) throw new TariffError('reservation periods must come before the charging periods');
  }
  const sessionStartMs = reservation ? (charging.length > 0 ? charging[0].at : endMs) : startMs;
  const intervals: UsageInterval[] = charging.map(({ p, i, at }, k) => {
    const next = k + 1 < charging.length ? charging[k + 1].at : endMs;
    const iv: UsageInterval = { startMs: at, endMs: Math.max(next, at), energyMWh: 0, chargingMs: 0, parkingMs: 0, maxPowerW: null, minPowerW: null, maxCurrentA: null, minCurrentA: null };
    let timed = false;
    const dims = Array.isArray(p.dimensions) ? (p.dimensions as Obj[]) : [];
    for (const d of dims) {
      const path = `charging_periods[${i}].${String(d.type)}`;
      switch (d.type) {
        case 'ENERGY': iv.energyMWh = toThousandths(d.volume, 1_000_000n, path); break;
        case 'TIME': iv.chargingMs = toThousandths(d.volume, 3_600_000n, path); timed = true; break;
        case 'PARKING_TIME': iv.parkingMs = toThousandths(d.volume, 3_600_000n, path); timed = true; break;
        case 'MAX_POWER': iv.maxPowerW = Number(d.volume) * 1000; break;
        case 'MIN_POWER': iv.minPowerW = Number(d.volume) * 1000; break;
        case 'MAX_CURRENT': iv.maxCurrentA = Number(d.volume); break;
        case 'MIN_CURRENT': iv.minCurrentA = Number(d.volume); break;
        default: break;
      }
    }
    if (iv.energyMWh < 0) throw new TariffError(`charging_periods[${i}].ENERGY: negative energy is not priced`);
    if (!timed) {
      if (iv.energyMWh > 0) iv.chargingMs = iv.endMs - iv.startMs;
      else iv.parkingMs = iv.endMs - iv.startMs;
    }
    return iv;
  });
  return reservation ? { startMs: sessionStartMs, endMs: Math.max(endMs, sessionStartMs), intervals, reservation } : { startMs, endMs, intervals };
}
