// Restriction edge cases: end-exclusive windows, midnight wrap, power/current, unknown values, validity.
import { describe, expect, it } from 'vitest';
import { inTimeWindow, priceSession, TariffError, type Tariff } from '../../../src/core/tariff';
import { series, session } from './session-helpers';

describe('time windows', () => {
  it('start inclusive, end exclusive, wrap past midnight, "00:00" = end of day', () => {
    expect([inTimeWindow(17 * 60, '17:00', '20:00'), inTimeWindow(20 * 60, '17:00', '20:00'), inTimeWindow(20 * 60 - 1, '17:00', '20:00')]).toEqual([true, false, true]);
    expect([inTimeWindow(23 * 60, '22:00', '06:00'), inTimeWindow(3 * 60, '22:00', '06:00'), inTimeWindow(6 * 60, '22:00', '06:00'), inTimeWindow(12 * 60, '22:00', '06:00')]).toEqual([true, true, false, false]);
    expect([inTimeWindow(23 * 60 + 59, '20:00', '00:00'), inTimeWindow(0, '20:00', '00:00')]).toEqual([true, false]);
    expect([inTimeWindow(5, undefined, '06:00'), inTimeWindow(7 * 60, '06:00', undefined)]).toEqual([true, true]);
  });
});

const byPower: Tariff = {
  id: 'p', currency: 'EUR',
  elements: [
    { price_components: [{ type: 'ENERGY', price: 0.6, step_size: 1 }], restrictions: { min_power: 50 } },
    { price_components: [{ type: 'ENERGY', price: 0.4, step_size: 1 }], restrictions: { max_current: 32 } },
    { price_components: [{ type: 'ENERGY', price: 0.3, step_size: 1 }] },
  ],
};

describe('power and current restrictions', () => {
  it('min_power applies per interval from the meter series (peak power of the interval)', () => {
    // 15-minute intervals: 15 kWh → 60 kW (fast), 2.5 kWh → 10 kW at 16 A.
    const s = session(series('2024-01-15T10:00:00Z', 15, [15_000, 2500]));
    const r = priceSession(s, { sell: byPower });
    expect(r.revenue.components.map((c) => [c.elementIndex, c.measured])).toEqual([[0, '15000'], [1, '2500']]);
  });

  it('an unknown current fails a current restriction, so the next element applies', () => {
    const s = session(series('2024-01-15T10:00:00Z', 15, [2500]));
    s.periods[0].maxCurrentA = null;
    expect(priceSession(s, { sell: byPower }).revenue.components.map((c) => c.elementIndex)).toEqual([2]);
  });

  it('no matching element for a dimension means no cost for it', () => {
    const t: Tariff = { id: 'x', currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 1, step_size: 1 }], restrictions: { day_of_week: ['SUNDAY'] } }] };
    const r = priceSession(session(series('2024-01-15T10:00:00Z', 60, [5000])), { sell: t });
    expect([r.revenue.components, r.revenue.total.exclVat]).toEqual([[], '0.00']);
  });
});

describe('tariff validity', () => {
  const t: Tariff = { id: 'v', currency: 'EUR', start_date_time: '2024-02-01T00:00:00Z', end_date_time: '2024-03-01T00:00:00Z', elements: [{ price_components: [{ type: 'FLAT', price: 1, step_size: 1 }] }] };
  it('prices sessions that start within [start_date_time, end_date_time) only', () => {
    expect(priceSession(session(series('2024-02-29T23:30:00Z', 60, [100])), { sell: t }).revenue.total.exclVat).toBe('1.00');
    expect(() => priceSession(session(series('2024-01-31T23:59:00Z', 60, [100])), { sell: t })).toThrow(TariffError);
    expect(() => priceSession(session(series('2024-03-01T00:00:00Z', 60, [100])), { sell: t })).toThrow(/not valid after/);
  });
});
