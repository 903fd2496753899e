// Pricing ChargeLedger sessions: held time is not parking, limits are reported, unattributed
// energy is never billed, and a reservation can ride along in the pricing input.
import { describe, expect, it } from 'vitest';
import { priceSession, TariffError, type Tariff } from '../../../src/core/tariff';
import type { Session } from '../../../src/core/types';
import { fixture } from './helpers';
import { session } from './session-helpers';

const T0 = '2024-01-15T10:00:00Z';
/** 0.25 €/kWh + 2 €/h parking per started minute, no VAT. */
const parking: Tariff = { id: 'park', currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 0.25, step_size: 1 }, { type: 'PARKING_TIME', price: 2, step_size: 60 }] }] };
const buy = { currency: 'EUR', fixedPricePerKWh: '0.20' };

describe('held time (station withheld power) is not parking', () => {
  it('20 s of ramp in an idle period is reported as heldS and not billed as a minute of parking', () => {
    // First minute: 20 s admission and ramp (the station held power), then 40 s charging.
    const s = session([[T0, 1, 0, false], ['2024-01-15T10:01:00Z', 60, 10_000]]);
    s.periods[0].idleS = 20;
    s.periods[0].chargingS = 40;
    s.periods[0].heldS = 20;
    s.heldS = 20;
    const r = priceSession(s, { sell: parking });
    expect(r.heldS).toBe('20');
    expect(r.totalParkingS).toBe('0');
    expect(r.revenue.components.map((c) => c.type)).toEqual(['ENERGY']);
    expect(r.revenue.total.exclVat).toBe('2.50');
  });

  it('only the idle time beyond the held time is parking: 10 min idle, 4 min held → 6 min billed', () => {
    const s = session([[T0, 60, 10_000], ['2024-01-15T11:00:00Z', 10, 0, false]]);
    s.periods[1].heldS = 240;
    const r = priceSession(s, { sell: parking });
    expect([r.heldS, r.totalParkingS]).toEqual(['240', '360']);
    expect(r.revenue.components.find((c) => c.type === 'PARKING_TIME')).toMatchObject({ measured: '360', billed: '360', exclVat: '0.20' });
  });

  it('a session without periods takes Session.heldS out of its idle time', () => {
    const s: Session = { ...session([[T0, 30, 5000]]), periods: [], idleTimeS: 600, heldS: 600, durationS: 2400, endTime: '2024-01-15T10:40:00Z' };
    const r = priceSession(s, { sell: parking });
    expect([r.heldS, r.totalParkingS, r.revenue.total.exclVat]).toEqual(['600', '0', '1.25']);
  });

  it('held time is capped at the idle time and must be a non-negative number', () => {
    const s = session([[T0, 10, 0, false]]);
    s.periods[0].heldS = 9999;
    expect(priceSession(s, { sell: parking }).totalParkingS).toBe('0');
    s.periods[0].heldS = -1;
    expect(() => priceSession(s, { sell: parking })).toThrow(TariffError);
  });
});

describe('min_price / max_price are reported', () => {
  it('appliedLimit says which limit set the total, and is absent otherwise', () => {
    const min = fixture('tariff_12_025kwh_min_price.json');
    expect(priceSession(session([[T0, 10, 1000]]), { sell: min }).appliedLimit).toBe('min_price');
    expect(priceSession(session([[T0, 60, 20_000]]), { sell: min }).appliedLimit).toBeUndefined();
    const max = fixture('tariff_6_025kwh_start_max_price.json');
    expect(priceSession(session([['2019-05-01T10:00:00Z', 120, 50_000]]), { sell: max }).appliedLimit).toBe('max_price');
  });
});

describe('unattributed energy', () => {
  const unattributed = (): Session => ({ ...session([[T0, 60, 10_000]]), stopReason: 'power_loss', type: 'unattributed', unattributed: { reason: 'crash' } } as unknown as Session);

  it('gets zero revenue, no min_price, but its cost is computed and flagged', () => {
    const t = fixture('tariff_12_025kwh_min_price.json');
    const r = priceSession(unattributed(), { sell: t, buy });
    expect(r.unattributed).toBe(true);
    expect(r.revenue.total).toEqual({ exclVat: '0.00', inclVat: '0.00', exclVatMinor: 0, inclVatMinor: 0 });
    expect(r.revenue.components).toEqual([]);
    expect(r.appliedLimit).toBeUndefined();
    expect([r.cost?.total.exclVat, r.margin, r.totalEnergyWh]).toEqual(['2.00', '-2.00', '10000']);
    expect(r.tariffHash).toBe(priceSession(session([[T0, 60, 10_000]]), { sell: t }).tariffHash);
  });
});

describe('reservation in the pricing input', () => {
  it('a session after a 15 min reservation is priced as tariff example 15 (6.75 / 7.60)', () => {
    const s = session([[T0, 60, 20_000]]);
    const r = priceSession(s, { sell: fixture('tariff_15_reservation_5_euro_per_hour.json'), reservation: { start: '2024-01-15T09:45:00Z', end: T0, expired: false } });
    expect([r.revenue.total.exclVat, r.revenue.total.inclVat, r.totalReservationS]).toEqual(['6.75', '7.60', '900']);
  });

  it('a bad reservation is refused with a reason', () => {
    const s = session([[T0, 60, 20_000]]);
    const sell = fixture('tariff_15_reservation_5_euro_per_hour.json');
    expect(() => priceSession(s, { sell, reservation: { start: T0, end: '2024-01-15T09:00:00Z', expired: false } })).toThrow(/reservation ends before it starts/);
    expect(() => priceSession(s, { sell, reservation: { start: 'soon', end: T0, expired: false } })).toThrow(TariffError);
  });
});
