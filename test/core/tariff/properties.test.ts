// Property tests: never negative, total = exact sum of components, finer readings → same total.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseBuyRates, parseTariff, priceSession, type BuyRates, type PriceComponent, type Tariff, type TariffElement } from '../../../src/core/tariff';
import { session, type P } from './session-helpers';

const HOUR = 3_600_000;
const hhmm = (h: number) => `${String(h).padStart(2, '0')}:00`;

const component = fc.constantFrom<PriceComponent['type']>('ENERGY', 'TIME', 'PARKING_TIME', 'FLAT').chain((type) =>
  fc.record({
    type: fc.constant(type),
    price: fc.integer({ min: 0, max: 500 }).map((c) => c / 100),
    vat: fc.option(fc.constantFrom(0, 5.2, 10, 21), { nil: undefined }),
    step_size: type === 'ENERGY' ? fc.constantFrom(1, 100, 500) : type === 'FLAT' ? fc.constant(1) : fc.constantFrom(1, 60, 300, 900),
  }, { requiredKeys: ['type', 'price', 'step_size'] }),
);

/** Elements whose restrictions change only on whole local hours, days, or (energy-only) kWh. */
const element: fc.Arbitrary<TariffElement> = fc.array(component, { minLength: 1, maxLength: 3 }).chain((pcs) => {
  const energyOnly = pcs.every((p) => p.type === 'ENERGY');
  return fc.record({
    price_components: fc.constant(pcs as PriceComponent[]),
    restrictions: fc.option(fc.record({
      start_time: fc.option(fc.integer({ min: 0, max: 23 }).map(hhmm), { nil: undefined }),
      end_time: fc.option(fc.integer({ min: 0, max: 23 }).map(hhmm), { nil: undefined }),
      day_of_week: fc.option(fc.subarray(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const, { minLength: 1 }).map((d) => [...d]), { nil: undefined }),
      min_duration: fc.option(fc.integer({ min: 0, max: 5 }).map((h) => h * 3600), { nil: undefined }),
      max_kwh: energyOnly ? fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }) : fc.constant(undefined),
      min_kwh: energyOnly ? fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }) : fc.constant(undefined),
    }, { requiredKeys: [] }), { nil: undefined }),
  }, { requiredKeys: ['price_components'] }) as fc.Arbitrary<TariffElement>;
});

const tariff: fc.Arbitrary<Tariff> = fc.record({
  elements: fc.array(element, { minLength: 1, maxLength: 4 }),
  min: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
  max: fc.option(fc.integer({ min: 500, max: 5000 }), { nil: undefined }),
}).map(({ elements, min, max }) => parseTariff(JSON.parse(JSON.stringify({
  id: 'prop', currency: 'EUR', elements,
  ...(min !== undefined ? { min_price: { excl_vat: min / 100, incl_vat: min / 100 } } : {}),
  ...(max !== undefined ? { max_price: { excl_vat: max / 100 } } : {}),
}))));

/** Whole-hour periods: each charges (energy in Wh) or parks (null). */
const hours = fc.array(fc.option(fc.integer({ min: 0, max: 22_000 }), { nil: null }), { minLength: 1, maxLength: 8 });
const start = fc.integer({ min: 0, max: 24 * 400 }).map((h) => Date.parse('2024-01-01T00:00:00Z') + h * HOUR);
const zone = fc.constantFrom('UTC', 'Europe/Amsterdam', 'America/New_York');

function coarse(startMs: number, hs: Array<number | null>): P[] {
  return hs.map((e, i) => [new Date(startMs + i * HOUR).toISOString(), 60, e ?? 0, e !== null]);
}

/** Split every hour into sub-periods by minutes with the energy split by weights (sums exact). */
function fine(periods: P[], splits: number[][]): P[] {
  return periods.flatMap(([at, , energy, charging], i) => {
    const weights = splits[i % splits.length];
    const cuts = weights.length; // sub-periods of (60 / cuts) minutes, rounded to whole minutes
    const bounds = Array.from({ length: cuts + 1 }, (_, k) => Math.round((k * 60) / cuts));
    const total = weights.reduce((a, b) => a + b, 0) || 1;
    let left = energy;
    return weights.map((w, k): P => {
      const e = k === cuts - 1 ? left : Math.floor((energy * w) / total);
      left -= e;
      return [new Date(Date.parse(at) + bounds[k] * 60_000).toISOString(), bounds[k + 1] - bounds[k], e, charging];
    }).filter((p) => p[1] > 0);
  });
}

describe('pricing properties', () => {
  it('prices are never negative and the total is the exact sum of the components (each off by at most half a cent) before min/max', () => {
    fc.assert(fc.property(tariff, start, hours, zone, (t, s0, hs, tz) => {
      const r = priceSession(session(coarse(s0, hs)), { sell: t, timezone: tz });
      for (const c of r.revenue.components) {
        expect(c.exclVatMinor).toBeGreaterThanOrEqual(0);
        expect(c.inclVatMinor).toBeGreaterThanOrEqual(c.exclVatMinor);
      }
      // Totals are the exact sum rounded once; each shown component is off by at most half a cent.
      const n = r.revenue.components.length;
      const sumExcl = r.revenue.components.reduce((a, c) => a + c.exclVatMinor, 0);
      const sumIncl = r.revenue.components.reduce((a, c) => a + c.inclVatMinor, 0);
      expect(Math.abs(r.revenue.subtotal.exclVatMinor - sumExcl)).toBeLessThanOrEqual(Math.ceil(n / 2));
      expect(Math.abs(r.revenue.subtotal.inclVatMinor - sumIncl)).toBeLessThanOrEqual(Math.ceil(n / 2));
      expect(r.revenue.total.exclVatMinor).toBeGreaterThanOrEqual(0);
      if (t.min_price) expect(r.revenue.total.exclVatMinor).toBeGreaterThanOrEqual(Math.round(t.min_price.excl_vat * 100));
      if (t.max_price) expect(r.revenue.total.exclVatMinor).toBeLessThanOrEqual(Math.round(t.max_price.excl_vat * 100));
    }), { numRuns: 300 });
  });

  it('a session priced from finer-grained readings gives the same total', () => {
    const splits = fc.array(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 });
    fc.assert(fc.property(tariff, start, hours, zone, splits, (t, s0, hs, tz, sp) => {
      const c = coarse(s0, hs);
      const a = priceSession(session(c), { sell: t, timezone: tz });
      const b = priceSession(session(fine(c, sp)), { sell: t, timezone: tz });
      expect(b.revenue.total).toEqual(a.revenue.total);
      expect(b.revenue.subtotal).toEqual(a.revenue.subtotal);
    }), { numRuns: 300 });
  });

  const buyRates: fc.Arbitrary<BuyRates> = fc.record({
    fixed: fc.integer({ min: 0, max: 60 }),
    bands: fc.array(fc.record({ from: fc.integer({ min: 0, max: 23 }), to: fc.integer({ min: 0, max: 23 }), cents: fc.integer({ min: 0, max: 80 }), weekend: fc.boolean() }), { maxLength: 3 }),
  }).map(({ fixed, bands }) => parseBuyRates({
    currency: 'EUR',
    fixedPricePerKWh: (fixed / 100).toFixed(2),
    timeOfUse: bands.map((b) => ({ startTime: hhmm(b.from), endTime: hhmm(b.to), pricePerKWh: (b.cents / 100).toFixed(2), ...(b.weekend ? { days: ['SATURDAY', 'SUNDAY'] } : {}) })),
  }));

  it('buy-side cost is never negative, sums its components, and is the same from finer readings', () => {
    const splits = fc.array(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 });
    const sell: Tariff = { id: 's', currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, step_size: 1 }] }] };
    fc.assert(fc.property(buyRates, start, hours, zone, splits, (buy, s0, hs, tz, sp) => {
      const c = coarse(s0, hs);
      const a = priceSession(session(c), { sell, buy, timezone: tz });
      const b = priceSession(session(fine(c, sp)), { sell, buy, timezone: tz });
      expect(a.cost!.total.exclVatMinor).toBeGreaterThanOrEqual(0);
      expect(a.cost!.total.exclVatMinor).toBe(a.cost!.components.reduce((x, k) => x + k.exclVatMinor, 0));
      expect(b.cost!.total).toEqual(a.cost!.total);
      expect(a.marginMinor).toBe(a.revenue.total.exclVatMinor - a.cost!.total.exclVatMinor);
    }), { numRuns: 200 });
  });

  it('repricing the same session with the same tariff gives identical figures and hash', () => {
    fc.assert(fc.property(tariff, start, hours, (t, s0, hs) => {
      const s = session(coarse(s0, hs));
      const copy = JSON.parse(JSON.stringify(t));
      expect(priceSession(JSON.parse(JSON.stringify(s)), { sell: copy })).toEqual(priceSession(s, { sell: t }));
    }), { numRuns: 100 });
  });
});
