// Buy-side cost: fixed, time-of-use (weekday, band, season) and dynamic prices with fallback.
import { describe, expect, it } from 'vitest';
import { mergePriceFeed, parseBuyRates, parsePriceFeed, parseTariffConfig, priceSession, TariffError, versionHash, canonicalJson, type BuyRates, type Tariff } from '../../../src/core/tariff';
import { series, session } from './session-helpers';

const sell: Tariff = { id: 's', currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 0.5, vat: 21, step_size: 1 }] }] };
const AMS = 'Europe/Amsterdam';

describe('buy rates', () => {
  it('fixed rate: cost, margin = revenue excl. VAT − cost', () => {
    const s = session(series('2024-01-15T10:00:00Z', 60, [10_000]));
    const r = priceSession(s, { sell, buy: { currency: 'EUR', fixedPricePerKWh: '0.215' } });
    expect(r.cost?.components).toEqual([{ source: 'fixed', pricePerKWh: '0.215', energyWh: '10000', exclVat: '2.15', exclVatMinor: 215 }]);
    expect([r.revenue.total.exclVat, r.marginMinor, r.margin]).toEqual(['5.00', 285, '2.85']);
  });

  const tou: BuyRates = parseBuyRates({
    currency: 'EUR',
    fixedPricePerKWh: 0.25,
    timeOfUse: [
      { name: 'winter-peak', season: { from: '10-01', to: '04-01' }, days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'], startTime: '17:00', endTime: '21:00', pricePerKWh: '0.40' },
      { name: 'night', startTime: '23:00', endTime: '07:00', pricePerKWh: '0.12' },
    ],
  });

  it('time-of-use by weekday, band and season in local time, energy billed where delivered', () => {
    // Monday 2024-01-15, 16:00–18:00 local (15:00Z): first hour fixed, second hour winter peak.
    const s = session(series('2024-01-15T15:00:00Z', 60, [5000, 7000]));
    const r = priceSession(s, { sell, buy: tou, timezone: AMS });
    expect(r.cost?.components.map((c) => [c.source, c.name, c.energyWh, c.exclVat])).toEqual([['fixed', undefined, '5000', '1.25'], ['tou', 'winter-peak', '7000', '2.80']]);
    // Same clock time in July is outside the season; Saturday is outside the weekdays.
    const summer = priceSession(session(series('2024-07-15T14:00:00Z', 60, [5000, 7000])), { sell, buy: tou, timezone: AMS });
    expect(summer.cost?.components.map((c) => c.source)).toEqual(['fixed']);
    const night = priceSession(session(series('2024-01-13T21:30:00Z', 60, [2000, 2000])), { sell, buy: tou, timezone: AMS });
    expect(night.cost?.components.map((c) => [c.source, c.energyWh])).toEqual([['fixed', '1000'], ['tou', '3000']]);
  });

  const dyn: BuyRates = { currency: 'EUR', fixedPricePerKWh: '0.30', dynamic: { staleAfterS: 36 * 3600 } };
  const feed = mergePriceFeed(undefined, parsePriceFeed([
    { start: '2024-01-15T10:00:00Z', end: '2024-01-15T11:00:00Z', priceMinorPerKWh: 8.5 },
    { start: '2024-01-15T11:00:00Z', end: '2024-01-15T12:00:00Z', priceMinorPerKWh: '12.25' },
  ]), Date.parse('2024-01-14T13:00:00Z'));

  it('dynamic hourly prices (minor units per kWh) when the feed is fresh', () => {
    const s = session(series('2024-01-15T10:30:00Z', 30, [3000, 4000]));
    const r = priceSession(s, { sell, buy: dyn, dynamic: feed, nowMs: Date.parse('2024-01-15T12:00:00Z') });
    expect(r.cost?.components.map((c) => [c.source, c.pricePerKWh, c.energyWh, c.exclVat])).toEqual([['dynamic', '0.085', '3000', '0.26'], ['dynamic', '0.1225', '4000', '0.49']]);
    expect(r.cost?.dynamicFallback).toBe(false);
  });

  it('falls back to fixed/ToU when the feed is stale or does not cover the interval', () => {
    const s = session(series('2024-01-15T10:30:00Z', 30, [3000, 4000]));
    const stale = priceSession(s, { sell, buy: dyn, dynamic: feed, nowMs: Date.parse('2024-01-16T02:00:00Z') });
    expect(stale.cost?.components.map((c) => c.source)).toEqual(['fixed']);
    expect(stale.cost?.dynamicFallback).toBe(true);
    const late = priceSession(session(series('2024-01-15T11:30:00Z', 30, [1000, 1000])), { sell, buy: dyn, dynamic: feed, nowMs: Date.parse('2024-01-15T13:00:00Z') });
    expect(late.cost?.components.map((c) => c.source)).toEqual(['dynamic', 'fixed']);
    expect(late.cost?.dynamicFallback).toBe(true);
  });

  it('a newer feed replaces overlapping entries', () => {
    const next = mergePriceFeed(feed, parsePriceFeed([{ start: '2024-01-15T11:00:00Z', end: '2024-01-15T12:00:00Z', priceMinorPerKWh: 20 }]), 5);
    expect(next.entries.map((e) => e.priceMinorPerKWh)).toEqual([8.5, 20]);
    expect(next.receivedAtMs).toBe(5);
    expect(() => parsePriceFeed([{ start: 'x', end: 'y', priceMinorPerKWh: 1 }])).toThrow(TariffError);
  });
});

describe('validation and hashing', () => {
  it('rejects bad tariffs with the field path', () => {
    expect(() => parseTariffConfig({ version: 1, sell: { id: 'x', currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: -1, step_size: 1 }] }] } })).toThrow('config.sell.elements[0].price_components[0].price: must not be negative');
    expect(() => parseTariffConfig({ version: 1, sell: { ...sell, elements: [{ price_components: [{ type: 'TIME', price: 1, step_size: 60 }], restrictions: { start_time: '24:00' } }] } })).toThrow(/start_time/);
    expect(() => parseTariffConfig({ version: 1, timezone: 'Mars/Olympus', sell })).toThrow(/unknown time zone/);
    expect(() => parseTariffConfig({ version: 1, sell, buy: { currency: 'USD', fixedPricePerKWh: 1 } })).toThrow(/sell currency/);
    expect(() => parseBuyRates({ currency: 'EUR' })).toThrow(/fixedPricePerKWh or timeOfUse/);
  });

  it('hashes canonical JSON: key order does not matter, any value change does', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 'x' }] })).toBe('{"a":[{"c":"x","d":2}],"b":1}');
    expect(versionHash({ a: 1, b: 2 })).toBe(versionHash({ b: 2, a: 1 }));
    expect(versionHash(sell)).not.toBe(versionHash({ ...sell, id: 't' }));
    expect(versionHash(sell)).toMatch(/^[0-9a-f]{64}$/);
  });
});
