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
