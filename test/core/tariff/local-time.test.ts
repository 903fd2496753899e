// Sessions across midnight, a day-of-week boundary and DST changes (Europe/Amsterdam).
import { describe, expect, it } from 'vitest';
import { LocalClock, offsetAt, priceSession, type Tariff } from '../../../src/core/tariff';
import { series, session } from './session-helpers';

const AMS = 'Europe/Amsterdam';

describe('LocalClock', () => {
  it('knows Amsterdam offsets either side of both 2024 DST changes', () => {
    expect(offsetAt(AMS, Date.parse('2024-03-31T00:59:00Z'))).toBe(3_600_000);
    expect(offsetAt(AMS, Date.parse('2024-03-31T01:00:00Z'))).toBe(7_200_000);
    expect(offsetAt(AMS, Date.parse('2024-10-27T00:59:00Z'))).toBe(7_200_000);
    expect(offsetAt(AMS, Date.parse('2024-10-27T01:00:00Z'))).toBe(3_600_000);
  });

  it('finds local boundaries: 02:00 occurs twice on the autumn night and never on the spring night', () => {
    const autumn = new LocalClock(AMS, Date.parse('2024-10-26T22:00:00Z'), Date.parse('2024-10-27T03:00:00Z'));
    expect(autumn.boundaries([120]).map((t) => new Date(t).toISOString())).toEqual(['2024-10-27T00:00:00.000Z', '2024-10-27T01:00:00.000Z']);
    const spring = new LocalClock(AMS, Date.parse('2024-03-30T23:00:00Z'), Date.parse('2024-03-31T02:00:00Z'));
    // Only the transition instant (01:00Z, local 02:00 → 03:00) is a boundary.
    expect(spring.boundaries([150]).map((t) => new Date(t).toISOString())).toEqual(['2024-03-31T01:00:00.000Z']);
    expect(spring.local(Date.parse('2024-03-31T01:00:00Z')).minuteOfDay).toBe(180);
  });
});

const nightTariff: Tariff = {
  id: 'night', currency: 'EUR',
  elements: [
    { price_components: [{ type: 'ENERGY', price: 0.2, vat: 21, step_size: 1 }], restrictions: { start_time: '23:00', end_time: '07:00' } },
    { price_components: [{ type: 'ENERGY', price: 0.4, vat: 21, step_size: 1 }] },
  ],
};

describe('pricing in local time', () => {
  it('a session across midnight bills each interval in the band it was delivered (22:30–00:30 local)', () => {
    // Winter: local = UTC+1. 22:30–23:00 local at 0.40, 23:00–00:30 at 0.20 (end exclusive, wraps midnight).
    const s = session(series('2024-01-15T21:30:00Z', 15, [1000, 3000, 500, 500, 500, 500, 500, 500]));
    const r = priceSession(s, { sell: nightTariff, timezone: AMS });
    expect(r.revenue.components.map((c) => [c.elementIndex, c.measured, c.exclVat])).toEqual([[1, '4000', '1.60'], [0, '3000', '0.60']]);
    // The same session read in UTC sees 21:30–23:30, so only 23:00–23:30 is night.
    const utc = priceSession(s, { sell: nightTariff });
    expect(utc.revenue.components.map((c) => [c.elementIndex, c.measured])).toEqual([[1, '6000'], [0, '1000']]);
  });

  it('no pro-rating when readings exist at the boundary; pro-rating by time only inside a straddling interval', () => {
    const aligned = session([['2024-01-15T21:30:00Z', 30, 3000], ['2024-01-15T22:00:00Z', 30, 100]]);
    expect(priceSession(aligned, { sell: nightTariff, timezone: AMS }).revenue.total.exclVat).toBe('1.22'); // 1.20 + 0.02
    const straddling = session([['2024-01-15T21:30:00Z', 60, 3100]]);
    expect(priceSession(straddling, { sell: nightTariff, timezone: AMS }).revenue.components.map((c) => c.measured)).toEqual(['1550', '1550']);
  });

  it('a day-of-week boundary: Friday 23:00 → Saturday 01:00 local', () => {
    const t: Tariff = {
      id: 'we', currency: 'EUR',
      elements: [
        { price_components: [{ type: 'ENERGY', price: 0.5, step_size: 1 }], restrictions: { day_of_week: ['SATURDAY', 'SUNDAY'] } },
        { price_components: [{ type: 'ENERGY', price: 0.3, step_size: 1 }] },
      ],
    };
    // 2024-01-19 is a Friday; 23:00 local = 22:00Z.
    const s = session(series('2024-01-19T22:00:00Z', 30, [500, 500, 2000, 2000]));
    const r = priceSession(s, { sell: t, timezone: AMS });
    expect(r.revenue.components.map((c) => [c.elementIndex, c.measured, c.exclVat])).toEqual([[1, '1000', '0.30'], [0, '4000', '2.00']]);
  });

  const peak: Tariff = {
    id: 'dst', currency: 'EUR',
    elements: [
      { price_components: [{ type: 'TIME', price: 10, step_size: 1 }], restrictions: { start_time: '02:00', end_time: '03:00' } },
      { price_components: [{ type: 'TIME', price: 1, step_size: 1 }] },
    ],
  };

  it('autumn DST change: 00:00–04:00 local lasts 5 h and the 02:00–03:00 band occurs twice', () => {
    const s = session(series('2024-10-26T22:00:00Z', 60, [1000, 1000, 1000, 1000, 1000]));
    const r = priceSession(s, { sell: peak, timezone: AMS });
    expect(r.revenue.components.map((c) => [c.elementIndex, c.measured, c.exclVat])).toEqual([[1, '10800', '3.00'], [0, '7200', '20.00']]);
    expect(r.revenue.total.exclVat).toBe('23.00');
  });

  it('spring DST change: 00:00–04:00 local lasts 3 h and the 02:00–03:00 band never occurs', () => {
    const s = session(series('2024-03-30T23:00:00Z', 60, [1000, 1000, 1000]));
    const r = priceSession(s, { sell: peak, timezone: AMS });
    expect(r.revenue.components.map((c) => c.elementIndex)).toEqual([1]);
    expect(r.revenue.total.exclVat).toBe('3.00');
  });

  it('start/end date restrictions are local dates, end exclusive', () => {
    const t: Tariff = {
      id: 'promo', currency: 'EUR',
      elements: [
        { price_components: [{ type: 'ENERGY', price: 0.1, step_size: 1 }], restrictions: { start_date: '2024-12-24', end_date: '2024-12-26' } },
        { price_components: [{ type: 'ENERGY', price: 0.4, step_size: 1 }] },
      ],
    };
    // 2024-12-25 23:00Z is 2024-12-26 00:00 local: the promotion has ended there.
    const s = session(series('2024-12-25T22:00:00Z', 60, [1000, 1000]));
    expect(priceSession(s, { sell: t, timezone: AMS }).revenue.components.map((c) => [c.elementIndex, c.measured])).toEqual([[0, '1000'], [1, '1000']]);
  });
});
