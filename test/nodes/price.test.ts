// chargeledger-price with a chargeledger-tariff config node, in a real Node-RED runtime.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeModule, nodeRed } from '../helpers/nodered';
import { series, session } from '../core/tariff/session-helpers';
import { parseTariffConfig, versionHash } from '../../src/core/tariff';

const tariffNode = nodeModule('chargeledger-tariff');
const priceNode = nodeModule('chargeledger-price');
type Any = Record<string, any>;

const fixture = (name: string): string => readFileSync(path.join(__dirname, '..', 'fixtures', 'ocpi', name), 'utf8');
const buy = JSON.stringify({ currency: 'EUR', fixedPricePerKWh: '0.20', dynamic: { staleAfterS: 86400 } });

describe('chargeledger-price', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'price-node-'));
  });
  afterEach(async () => {
    await nodeRed.unload();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const flow = (sell = fixture('tariff_9_025kwh_start.json')) => [
    { id: 'T', type: 'chargeledger-tariff', sell, buy, timezone: 'Europe/Amsterdam', dataDir },
    { id: 'P', type: 'chargeledger-price', tariff: 'T', wires: [['out']] },
    { id: 'out', type: 'helper' },
  ];

  const next = (id: string): Promise<Any> => new Promise((resolve) => nodeRed.getNode(id)!.on('input', resolve));

  it('adds msg.pricing to a session: revenue, cost, margin, tariff hash', async () => {
    await nodeRed.load([tariffNode, priceNode], flow());
    const got = next('out');
    const s = session(series('2024-01-15T10:00:00Z', 60, [10_000, 10_000]));
    nodeRed.getNode('P')!.receive({ kind: 'session', topic: '1', payload: s, keep: 'me' });
    const msg = await got;
    expect(msg).toMatchObject({ kind: 'session', topic: '1', keep: 'me', payload: s });
    expect(msg.pricing).toMatchObject({ currency: 'EUR', tariffId: '17', revenue: { total: { exclVat: '5.50', inclVat: '6.10', exclVatMinor: 550 } }, cost: { total: { exclVat: '4.00' } }, marginMinor: 150, margin: '1.50' });
    expect(msg.pricing.tariffHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('replaces the tariff from config/tariffs (newer versions only) and keeps it across a restart', async () => {
    await nodeRed.load([tariffNode, priceNode], flow());
    const p = nodeRed.getNode('P')!;
    const sell = JSON.parse(fixture('tariff_8_simple_025kwh.json'));
    p.receive({ kind: 'config', topic: 'tariffs', payload: { version: 3, timezone: 'UTC', sell: { ...sell, id: 'v3' }, buy: JSON.parse(buy) } });
    p.receive({ kind: 'config', topic: 'tariffs', payload: { version: 2, sell: { ...sell, id: 'v2' } } });
    const s = session(series('2024-01-15T10:00:00Z', 60, [20_000]));
    let got = next('out');
    p.receive({ kind: 'session', payload: s });
    expect((await got).pricing).toMatchObject({ tariffId: 'v3', revenue: { total: { exclVat: '5.00' } } });
    await nodeRed.unload();
    await nodeRed.load([tariffNode, priceNode], flow());
    got = next('out');
    nodeRed.getNode('P')!.receive({ kind: 'session', payload: s });
    expect((await got).pricing.tariffId).toBe('v3');
    // Editing the tariff in the editor makes the editor's version current again.
    await nodeRed.unload();
    await nodeRed.load([tariffNode, priceNode], flow(fixture('tariff_12_025kwh_min_price.json')));
    got = next('out');
    nodeRed.getNode('P')!.receive({ kind: 'session', payload: s });
    expect((await got).pricing.tariffId).toBe('20');
  });

  it('uses dynamic prices fed as topic "prices"', async () => {
    await nodeRed.load([tariffNode, priceNode], flow());
    const p = nodeRed.getNode('P')!;
    const start = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000).toISOString();
    p.receive({ topic: 'prices', payload: [{ start, end: new Date(Date.parse(start) + 3_600_000).toISOString(), priceMinorPerKWh: 7.5 }] });
    const got = next('out');
    p.receive({ kind: 'session', payload: session(series(start, 60, [10_000])) });
    expect((await got).pricing.cost).toMatchObject({ components: [{ source: 'dynamic', pricePerKWh: '0.075' }], total: { exclVat: '0.75' }, dynamicFallback: false });
  });

  it('unattributed energy: zero revenue, cost computed, pricing.unattributed and a yellow status', async () => {
    await nodeRed.load([tariffNode, priceNode], flow(fixture('tariff_12_025kwh_min_price.json')));
    const got = next('out');
    const s = { ...session(series('2024-01-15T10:00:00Z', 60, [10_000])), type: 'unattributed', stopReason: 'unknown', unattributed: { reason: 'controller restarted' } };
    delete (s as Any).idTag;
    const p = nodeRed.getNode('P') as Any;
    const statuses: Any[] = [];
    p.on('call:status', (call: Any) => statuses.push(call.args[0]));
    p.receive({ kind: 'session', payload: s });
    const msg = await got;
    expect(msg.pricing).toMatchObject({ unattributed: true, revenue: { total: { exclVatMinor: 0, inclVatMinor: 0 }, components: [] }, cost: { total: { exclVat: '2.00' } }, margin: '-2.00' });
    expect(msg.pricing.appliedLimit).toBeUndefined();
    expect(statuses.at(-1)).toMatchObject({ fill: 'yellow', text: 'unattributed: 0' });
  });

  it('reports min_price, held time and a reservation from msg.reservation', async () => {
    await nodeRed.load([tariffNode, priceNode], flow(fixture('tariff_12_025kwh_min_price.json')));
    let got = next('out');
    const s = session(series('2024-01-15T10:00:00Z', 10, [1000]));
    Object.assign(s.periods[0], { chargingS: 570, idleS: 30, heldS: 30 });
    Object.assign(s, { chargingTimeS: 570, idleTimeS: 30, heldS: 30 });
    nodeRed.getNode('P')!.receive({ kind: 'session', payload: s });
    expect((await got).pricing).toMatchObject({ appliedLimit: 'min_price', heldS: '30', revenue: { total: { exclVat: '0.50' } } });
    await nodeRed.unload();
    await nodeRed.load([tariffNode, priceNode], flow(fixture('tariff_15_reservation_5_euro_per_hour.json')));
    got = next('out');
    const reservation = { start: '2024-01-15T09:45:00Z', end: '2024-01-15T10:00:00Z', expired: false };
    nodeRed.getNode('P')!.receive({ kind: 'session', payload: session(series('2024-01-15T10:00:00Z', 60, [20_000])), reservation });
    expect((await got).pricing).toMatchObject({ totalReservationS: '900', revenue: { total: { exclVat: '6.75', inclVat: '7.60' }, reservation: { exclVat: '1.25' } } });
  });

  it('bad input ends in done(err) with a clear message and no output', async () => {
    await nodeRed.load([tariffNode, priceNode], flow());
    const p = nodeRed.getNode('P') as Any;
    const errors: string[] = [];
    p.on('call:error', (call: Any) => errors.push(String(call.args[0]?.message ?? call.args[0])));
    p.receive({ kind: 'session', payload: { nope: true } });
    p.receive({ kind: 'config', topic: 'tariffs', payload: { version: 9, sell: { id: 'x', currency: 'EUR', elements: [] } } });
    p.receive({ kind: 'reading', payload: {} });
    await new Promise<void>((resolve) => { const check = () => (errors.length >= 3 ? resolve() : setTimeout(check, 10)); check(); });
    expect(errors[0]).toMatch(/^session: id must be a non-empty string/);
    expect(errors[1]).toMatch(/config\.sell\.elements: must be a non-empty list/);
    expect(errors[2]).toMatch(/unrecognised message \(kind "reading"\): expected kind 'config', kind 'session'/);
  });

  it('an invalid editor tariff shows a red status, and the session still goes on, unpriced and flagged', async () => {
    await nodeRed.load([tariffNode, priceNode], flow('{"id": "x"'));
    const t = nodeRed.getNode('T') as Any;
    expect(t.failure.message).toMatch(/sell tariff is not valid JSON/);
    const p = nodeRed.getNode('P') as Any;
    const errors: string[] = [];
    p.on('call:error', (call: Any) => errors.push(String(call.args[0]?.message ?? call.args[0])));
    const got = next('out');
    p.receive({ kind: 'session', payload: session(series('2024-01-15T10:00:00Z', 60, [1000])) });
    const out = await got;
    expect(out.payload.flags).toContain('pricing_failed');
    expect(out.pricing).toMatchObject({ status: 'failed', reason: expect.stringMatching(/tariff configuration invalid/) });
    await new Promise<void>((resolve) => { const check = () => (errors.length >= 1 ? resolve() : setTimeout(check, 10)); check(); });
    expect(errors[0]).toMatch(/recorded unpriced/);
  });

  it('a session the engine cannot price is never held back: it goes on unpriced with the tariff then in force', async () => {
    // A tariff an older release accepted and kept (price 1e308): the engine cannot compute with it.
    const sell = fixture('tariff_9_025kwh_start.json');
    const editor = parseTariffConfig({ version: 0, timezone: 'Europe/Amsterdam', sell: JSON.parse(sell), buy: JSON.parse(buy) });
    const kept = { version: 3, timezone: 'Europe/Amsterdam', sell: { id: 'legacy', currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 1e308, step_size: 1 }] }] } };
    writeFileSync(path.join(dataDir, 'tariff-T.json'), JSON.stringify({ editorHash: versionHash(editor), config: kept }));
    await nodeRed.load([tariffNode, priceNode], flow(sell));
    const p = nodeRed.getNode('P') as Any;
    const statuses: Any[] = [];
    p.on('call:status', (c: Any) => statuses.push(c.args[0]));
    const got = next('out');
    p.receive({ kind: 'session', payload: session(series('2024-01-15T10:00:00Z', 60, [1000])) });
    const out = await got;
    expect(out.payload.flags).toContain('pricing_failed');
    expect(out.pricing).toMatchObject({ status: 'failed', tariffId: 'legacy', tariffVersion: 3, tariffHash: versionHash(kept.sell) });
    await new Promise<void>((resolve) => { const check = () => (statuses.some((s) => s.text === 'unpriced: see log') ? resolve() : setTimeout(check, 10)); check(); });
  });

  it('refuses a tariff whose numbers the engine cannot compute (price 1e308) as config', async () => {
    await nodeRed.load([tariffNode, priceNode], flow());
    const p = nodeRed.getNode('P') as Any;
    const errors: string[] = [];
    p.on('call:error', (call: Any) => errors.push(String(call.args[0]?.message ?? call.args[0])));
    const sell = { id: 'x', currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 1e308, step_size: 1 }] }] };
    p.receive({ kind: 'config', topic: 'tariffs', payload: { version: 9, sell } });
    await new Promise<void>((resolve) => { const check = () => (errors.length >= 1 ? resolve() : setTimeout(check, 10)); check(); });
    expect(errors[0]).toMatch(/price: must be a number <= 1000000/);
  });
  it("prices an open session's 'updated' event (cost so far) exactly as the finished session", async () => {
    await nodeRed.load([tariffNode, priceNode], flow());
    const p = nodeRed.getNode('P')!;
    const s = session(series('2024-01-15T10:00:00Z', 60, [10_000, 10_000]));
    let got = next('out');
    p.receive({ kind: 'session', topic: '1', payload: s });
    const final = (await got).pricing;
    got = next('out');
    const event = { type: 'updated', session: { id: s.id, connectorId: '1', state: 'charging', energyWh: s.energyWh, soFar: { ...s, stopReason: 'unknown' } } };
    p.receive({ kind: 'session-event', topic: '1', payload: event });
    const msg = await got;
    expect(msg).toMatchObject({ kind: 'session-event', topic: '1', payload: event });
    expect(msg.pricing.revenue).toEqual(final.revenue);
    expect(msg.pricing.cost).toEqual(final.cost);
    expect(msg.pricing).toMatchObject({ margin: '1.50', marginMinor: 150 });
  });

  it("ignores started/finished session events and refuses an 'updated' one without soFar", async () => {
    await nodeRed.load([tariffNode, priceNode], flow());
    const p = nodeRed.getNode('P')!;
    const sent: Any[] = [];
    nodeRed.getNode('out')!.on('input', (m: Any) => sent.push(m));
    const err = new Promise<Any[]>((resolve) => p.on('call:error', (c: { args: Any[] }) => resolve(c.args)));
    p.receive({ kind: 'session-event', payload: { type: 'started', session: { id: 'x', connectorId: '1' } } });
    p.receive({ kind: 'session-event', payload: { type: 'updated', session: { id: 'x', connectorId: '1' } } });
    expect(String((await err)[0])).toMatch(/no session.soFar/);
    expect(sent).toEqual([]);
  });
});
