// Test helpers: load OCPI fixtures and build OCPI CDR-like sessions compactly.
import fs from 'node:fs';
import path from 'node:path';
import { parseTariff, priceUsage, usageFromOcpi, type PricingResult, type Tariff } from '../../../src/core/tariff';

/** Load a tariff fixture from test/fixtures/ocpi. */
export function fixture(name: string): Tariff {
  return parseTariff(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'ocpi', name), 'utf8')));
}

/** Dimensions of one charging period in OCPI units (kWh, hours, kW, A). */
export type Dims = Partial<Record<'ENERGY' | 'TIME' | 'PARKING_TIME' | 'RESERVATION_TIME' | 'MAX_POWER' | 'MIN_POWER' | 'MAX_CURRENT' | 'MIN_CURRENT', number>>;

/** An OCPI CDR-like object: periods are [startIso, dims]; the last lasts until `end`. */
export function cdr(start: string, end: string, periods: Array<[string, Dims]>): unknown {
  return {
    start_date_time: start,
    end_date_time: end,
    charging_periods: periods.map(([at, dims]) => ({ start_date_time: at, dimensions: Object.entries(dims).map(([type, volume]) => ({ type, volume })) })),
  };
}

/** Minutes after an ISO instant, as ISO. */
export function plus(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}

/**
 * A session that charges `chargeMin` minutes (energy spread evenly per minute) and then parks
 * `parkMin` minutes, with optional constant current/power.
 */
export function chargeThenPark(start: string, chargeMin: number, parkMin: number, energyKWh = 0, extra: Dims = {}): unknown {
  const periods: Array<[string, Dims]> = [];
  if (chargeMin > 0) periods.push([start, { ENERGY: energyKWh, TIME: chargeMin / 60, ...extra }]);
  if (parkMin > 0) periods.push([plus(start, chargeMin), { PARKING_TIME: parkMin / 60 }]);
  return cdr(start, plus(start, chargeMin + parkMin), periods);
}

/** Price an OCPI session object with a tariff. */
export function price(tariff: Tariff, session: unknown, timezone = 'UTC'): PricingResult {
  return priceUsage(usageFromOcpi(session), { sell: tariff, timezone });
}

/** [excl, incl] totals as decimal strings. */
export function totals(r: PricingResult): [string, string] {
  return [r.revenue.total.exclVat, r.revenue.total.inclVat];
}
