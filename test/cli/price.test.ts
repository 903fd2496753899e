// `chargeledger price`: OCPI CDR/Session input, stored records, time zones, exit codes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { priceSession, parseTariff } from '../../src/core/tariff';
import { series, session } from '../core/tariff/session-helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-price-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const fixtures = path.join(__dirname, '..', 'fixtures', 'ocpi');

function file(name: string, value: unknown): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['price', ...argv], { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, stdin: process.stdin });
  return { code, out, err };
}

describe('chargeledger price', () => {
  it('prices the OCPI CDR example with its tariff: 4.00 / 4.40 as its total_cost', async () => {
    const cdr = JSON.parse(fs.readFileSync(path.join(fixtures, 'cdr_example.json'), 'utf8'));
    const r = await run('--tariff', file('t12.json', cdr.tariffs[0]), '--session', path.join(fixtures, 'cdr_example.json'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ currency: 'EUR', total_cost: { excl_vat: '4.00', incl_vat: '4.40' }, total_time: 1.973056, total_parking_time: 0 });
    expect(j.components).toEqual([{ type: 'TIME', element: 0, price: '2', vat: '10', step_size: 300, volume: 1.973, billed_volume: 2, excl_vat: '4.00', incl_vat: '4.40' }]);
  });

  it('reads restriction times in the session\'s top-level "timezone"', async () => {
    const tariff = file('night.json', {
      id: 'n', currency: 'EUR',
      elements: [
        { price_components: [{ type: 'ENERGY', price: 0.1, vat: 10, step_size: 1 }], restrictions: { start_time: '22:00', end_time: '06:00' } },
        { price_components: [{ type: 'ENERGY', price: 0.3, vat: 10, step_size: 1 }] },
      ],
    });
    const s = { start_date_time: '2024-01-15T21:00:00Z', end_date_time: '2024-01-15T22:00:00Z', charging_periods: [{ start_date_time: '2024-01-15T21:00:00Z', dimensions: [{ type: 'ENERGY', volume: 10 }] }] };
    const utc = JSON.parse((await run('--tariff', tariff, '--session', file('s-utc.json', s), '--json')).out);
    const ams = JSON.parse((await run('--tariff', tariff, '--session', file('s-ams.json', { ...s, timezone: 'Europe/Amsterdam' }), '--json')).out);
    expect([utc.total_cost.excl_vat, ams.total_cost.excl_vat]).toEqual(['3.00', '1.00']);
    expect(ams).toMatchObject({ total_energy: 10, total_time: 1 });
  });

  it('reprices a stored ChargeLedger record to its stored figures, and says so when they differ', async () => {
    const tariff = parseTariff(JSON.parse(fs.readFileSync(path.join(fixtures, 'tariff_10_025kwh_parking_start.json'), 'utf8')));
    const s = session([...series('2024-01-15T10:00:00Z', 60, [10_000, 10_000]), ['2024-01-15T12:00:00Z', 40, 0]]);
    const pricing = priceSession(s, { sell: tariff, timezone: 'Europe/Amsterdam' });
    const tfile = path.join(fixtures, 'tariff_10_025kwh_parking_start.json');
    const ok = await run('--tariff', tfile, '--session', file('rec.json', { v: 1, id: s.id, seq: 1, session: s, pricing, tariffHash: pricing.tariffHash }), '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ total_cost: { excl_vat: '7.00', incl_vat: '7.90' }, timezone: 'Europe/Amsterdam', tariff_hash: pricing.tariffHash });
    const tampered = { ...pricing, revenue: { ...pricing.revenue, total: { ...pricing.revenue.total, exclVatMinor: 650 } } };
    const bad = await run('--tariff', tfile, '--session', file('rec2.json', { session: s, pricing: tampered }));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/stored pricing differs/);
    expect(bad.out).toMatch(/TOTAL\s+7\.00 excl\s+7\.90 incl EUR/);
  });

  it('adds cost and margin with --buy', async () => {
    const s = { start_date_time: '2024-01-15T10:00:00Z', end_date_time: '2024-01-15T11:00:00Z', charging_periods: [{ start_date_time: '2024-01-15T10:00:00Z', dimensions: [{ type: 'ENERGY', volume: 20 }] }] };
    const r = await run('--tariff', path.join(fixtures, 'tariff_8_simple_025kwh.json'), '--session', file('s20.json', s), '--buy', file('buy.json', { currency: 'EUR', fixedPricePerKWh: '0.18' }), '--json');
    expect(JSON.parse(r.out)).toMatchObject({ total_cost: { excl_vat: '5.00' }, total_buy_cost: { excl_vat: '3.60' }, margin: '1.40' });
  });

  it('exit 2 on usage errors, 1 on invalid input with a clear message', async () => {
    expect((await run('--session', 'x.json')).code).toBe(2);
    const notJson = await run('--tariff', file('bad.json', '{nope'), '--session', file('s.json', {}));
    expect([notJson.code, notJson.err]).toEqual([1, expect.stringMatching(/tariff .*bad\.json is not JSON/)]);
    const badTariff = await run('--tariff', file('neg.json', { id: 'x', currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: -1, step_size: 1 }] }] }), '--session', file('s.json', {}));
    expect([badTariff.code, badTariff.err]).toEqual([1, expect.stringMatching(/tariff\.elements\[0\]\.price_components\[0\]\.price: must not be negative/)]);
    const badTz = await run('--tariff', path.join(fixtures, 'tariff_8_simple_025kwh.json'), '--session', file('tz.json', { start_date_time: '2024-01-15T10:00:00Z', end_date_time: '2024-01-15T11:00:00Z', charging_periods: [], timezone: 'Nowhere/Land' }));
    expect([badTz.code, badTz.err]).toEqual([1, expect.stringMatching(/unknown time zone/)]);
  });
});

describe('chargeledger price: the table says what shaped the total', () => {
  it('names an applied min_price and the held time; the complex example totals 10.30 incl. as the spec', async () => {
    const t = file('min.json', fs.readFileSync(path.join(fixtures, 'tariff_12_025kwh_min_price.json'), 'utf8'));
    const s = session(series('2024-01-15T10:00:00Z', 10, [1000]));
    Object.assign(s.periods[0], { chargingS: 480, idleS: 120, heldS: 120 });
    const r = await run('--tariff', t, '--session', file('min-session.json', s));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/min_price applied \(was 0\.25 \/ 0\.28\)/);
    expect(r.out).toMatch(/TOTAL\s+0\.50 excl\s+0\.55 incl EUR/);
    expect(r.out).toMatch(/held by the station 120 s/);
    const complex = JSON.parse(fs.readFileSync(path.join(fixtures, 'tariff_4_complex.json'), 'utf8'));
    const cdr = { start_date_time: '2015-06-29T09:30:00Z', end_date_time: '2015-06-29T12:57:00Z', charging_periods: [
      { start_date_time: '2015-06-29T09:30:00Z', dimensions: [{ type: 'TIME', volume: 2.75 }, { type: 'ENERGY', volume: 20 }, { type: 'MAX_CURRENT', volume: 16 }] },
      { start_date_time: '2015-06-29T12:15:00Z', dimensions: [{ type: 'PARKING_TIME', volume: 0.7 }] },
    ] };
    const c = await run('--tariff', file('complex.json', complex), '--session', file('complex-cdr.json', cdr));
    expect(c.out).toMatch(/subtotal \(exact sum, rounded once\)\s+9\.00 excl\s+10\.30 incl/);
    expect(c.out).toMatch(/TOTAL\s+9\.00 excl\s+10\.30 incl EUR/);
  });
});

describe('chargeledger price: quantities in the unit of the price', () => {
  it('shows kWh for ENERGY, hours for TIME and PARKING_TIME, 1 for FLAT, as exact decimals', async () => {
    const energy = await run('--tariff', path.join(fixtures, 'tariff_8_simple_025kwh.json'), '--session', file('e.json', session([['2024-01-15T10:00:00Z', 60, 12_345]])));
    expect(energy.out).toMatch(/ENERGY\s+#0\s+12\.345 kWh × 0\.25 EUR\/kWh\s+3\.09 excl/);
    const t = file('tp.json', { id: 't', currency: 'EUR', elements: [{ price_components: [{ type: 'FLAT', price: 0.5, vat: 20, step_size: 1 }, { type: 'TIME', price: 2, vat: 20, step_size: 1 }, { type: 'PARKING_TIME', price: 1.2, vat: 20, step_size: 300 }] }] });
    const s = session([['2024-01-15T10:00:00Z', 15, 3000], ['2024-01-15T10:15:00Z', 21, 0]]);
    const r = await run('--tariff', t, '--session', file('tp-s.json', s));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/FLAT\s+#0\s+1 × 0\.5 EUR\s+0\.50 excl/);
    expect(r.out).toMatch(/TIME\s+#0\s+0\.25 h × 2 EUR\/h\s+0\.50 excl/);
    // 21 min billed in 5 min steps: 25 min = 5/12 h, which has no finite decimal form.
    expect(r.out).toMatch(/PARKING_TIME\s+#0\s+≈0\.416667 h × 1\.2 EUR\/h\s+0\.50 excl/);
    expect(r.out).not.toMatch(/min\b/);
  });
});

describe('chargeledger price: a CDR that carries its own total', () => {
  const cdr = JSON.parse(fs.readFileSync(path.join(fixtures, 'cdr_example.json'), 'utf8'));
  const tariff = (): string => file('t12.json', cdr.tariffs[0]);

  it('prints both totals and no difference when they agree', async () => {
    const r = await run('--tariff', tariff(), '--session', path.join(fixtures, 'cdr_example.json'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/TOTAL\s+4\.00 excl\s+4\.40 incl EUR/);
    expect(r.out).toMatch(/CDR total_cost \(its own\)\s+4\.00 excl\s+4\.40 incl EUR/);
    expect(r.out).toMatch(/difference \(repriced − CDR\): none\s+0\.00 excl\s+0\.00 incl EUR/);
  });

  it('prints the exact difference (repriced − CDR) in the table and in --json, with exit 0', async () => {
    const other = file('cdr-other.json', { ...cdr, total_cost: { excl_vat: 3.9, incl_vat: 4.445 } });
    const r = await run('--tariff', tariff(), '--session', other);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/CDR total_cost \(its own\)\s+3\.90 excl\s+4\.445 incl EUR/);
    expect(r.out).toMatch(/difference \(repriced − CDR\)\s+0\.10 excl\s+-0\.045 incl EUR/);
    const j = JSON.parse((await run('--tariff', tariff(), '--session', other, '--json')).out);
    expect(j).toMatchObject({ total_cost: { excl_vat: '4.00', incl_vat: '4.40' }, cdr_total_cost: { excl_vat: '3.90', incl_vat: '4.445', currency: 'EUR' }, difference: { excl_vat: '0.10', incl_vat: '-0.045' } });
    const v211 = JSON.parse((await run('--tariff', tariff(), '--session', file('cdr-211.json', { ...cdr, total_cost: 4.5 }), '--json')).out);
    expect(v211).toMatchObject({ cdr_total_cost: { excl_vat: '4.50', incl_vat: null }, difference: { excl_vat: '-0.50', incl_vat: null } });
  });

  it('computes no difference across currencies, and rejects a total_cost that is not a price', async () => {
    const usd = await run('--tariff', tariff(), '--session', file('cdr-usd.json', { ...cdr, currency: 'USD' }));
    expect(usd.out).toMatch(/the CDR is in USD, the tariff in EUR: no difference computed/);
    const bad = await run('--tariff', tariff(), '--session', file('cdr-bad.json', { ...cdr, total_cost: { excl_vat: 'four' } }));
    expect([bad.code, bad.err]).toEqual([1, expect.stringMatching(/total_cost\.excl_vat is not a number/)]);
  });
});

describe('chargeledger price: stored records and --json extras', () => {
  const complex = path.join(fixtures, 'tariff_4_complex.json');
  // Monday: 2:45 h charging at 16 A and 42 min parking. The exact sum rounds to 10.30 incl. VAT,
  // the rounded components add up to 10.31 (what records priced before the exact-sum rule hold).
  const s = session([['2024-01-15T10:00:00Z', 165, 20_000], ['2024-01-15T12:45:00Z', 42, 0]]);
  const pricing = priceSession(s, { sell: parseTariff(JSON.parse(fs.readFileSync(complex, 'utf8'))), timezone: 'UTC' });
  const oldRule = (inclVatMinor: number) => {
    const { roundingRule: _dropped, ...rest } = pricing;
    return { ...rest, revenue: { ...pricing.revenue, total: { ...pricing.revenue.total, inclVatMinor, inclVat: (inclVatMinor / 100).toFixed(2) } } };
  };

  it('notes, without failing, the 0.01 of a record priced before the exact-sum rounding rule', async () => {
    expect(pricing.revenue.total.inclVat).toBe('10.30');
    const r = await run('--tariff', complex, '--session', file('old.json', { session: s, pricing: oldRule(1031) }));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^note: stored pricing predates the exact-sum rounding rule .*stored 9\.00 excl \/ 10\.31 incl, repriced 9\.00 \/ 10\.30 EUR/);
    const far = await run('--tariff', complex, '--session', file('old-far.json', { session: s, pricing: oldRule(1040) }));
    expect([far.code, far.err]).toEqual([1, expect.stringMatching(/^stored pricing differs: stored 9\.00 excl \/ 10\.40 incl/)]);
    const current = await run('--tariff', complex, '--session', file('new.json', { session: s, pricing: { ...oldRule(1031), roundingRule: 'exact-sum' } }));
    expect([current.code, current.err]).toEqual([1, expect.stringMatching(/^stored pricing differs/)]);
  });

  it('--json carries heldS, appliedLimit and the reservation figures', async () => {
    const held = session(series('2024-01-15T10:00:00Z', 10, [1000]));
    Object.assign(held.periods[0], { chargingS: 480, idleS: 120, heldS: 120 });
    const j = JSON.parse((await run('--tariff', path.join(fixtures, 'tariff_12_025kwh_min_price.json'), '--session', file('held.json', held), '--json')).out);
    expect(j).toMatchObject({ heldS: 120, appliedLimit: 'min_price', total_cost: { excl_vat: '0.50' } });
    const res = { start_date_time: '2024-01-15T09:30:00Z', end_date_time: '2024-01-15T11:00:00Z', charging_periods: [
      { start_date_time: '2024-01-15T09:30:00Z', dimensions: [{ type: 'RESERVATION_TIME', volume: 0.5 }] },
      { start_date_time: '2024-01-15T10:00:00Z', dimensions: [{ type: 'ENERGY', volume: 10 }] },
    ] };
    const r = JSON.parse((await run('--tariff', path.join(fixtures, 'tariff_15_reservation_5_euro_per_hour.json'), '--session', file('res.json', res), '--json')).out);
    expect(r).toMatchObject({ heldS: 0, total_reservation_time: 0.5, total_reservation_cost: { excl_vat: '2.50', incl_vat: '3.00' } });
    expect(r.appliedLimit).toBeUndefined();
    expect(r.components.filter((c: { reservation?: boolean }) => c.reservation)).toEqual([expect.objectContaining({ type: 'TIME', billed_volume: 0.5 })]);
  });
});
