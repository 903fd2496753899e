// The config-in node against a real mosquitto: an update is `accepted` only once the price and
// load nodes wired to it have applied it; every config they would refuse is `rejected` with the
// reason before anything is stored, and the version in force stays as it was.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { nodeRed, nodeModule } from '../helpers/nodered';
import { startMosquitto, type TestBroker } from '../helpers/brokers';
import { needBinary } from '../helpers/realdeps';
import { waitFor } from '../helpers/ports';
import { testAckKey } from '../helpers/ack-key';
import { configSignedText } from '../../src/core/sync/config-envelope';
import { createPrivateKey, sign } from 'node:crypto';

const sell = readFileSync(path.join(__dirname, '..', 'fixtures', 'ocpi', 'tariff_9_025kwh_start.json'), 'utf8');
const connectors = [{ id: '1', phases: 3, phase: 1, minCurrentA: 6, maxCurrentA: 32, cableMaxCurrentA: '', priority: 0, meterId: '' }];
const backendKey = testAckKey();
const tariffPayload = (version: number, over: Record<string, unknown> = {}) => ({ version, timezone: 'Europe/Amsterdam', sell: JSON.parse(sell), ...over });

describe.runIf(needBinary('mosquitto'))('chargeledger-config-in node (real mosquitto)', () => {
  let broker: TestBroker;
  let dataDir: string;
  let backend: MqttClient;
  const results: any[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    backend = await mqtt.connectAsync(broker.url);
    backend.on('message', (_t, p) => results.push(JSON.parse(p.toString())));
    await backend.subscribeAsync('chargeledger/ST-1/config/result', { qos: 1 });
  });
  afterAll(async () => {
    await backend.endAsync();
    await broker.close();
  });
  afterEach(async () => {
    await nodeRed.unload();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const flow = (wires: string[] = ['P', 'LD', 'out']) => [
    { id: 'up', type: 'chargeledger-uplink', broker: broker.url, stationId: 'ST-1', clientId: 'cfg-node', ackKey: backendKey.publicKeyFile },
    { id: 'cfg', type: 'chargeledger-config-in', uplink: 'up', dataDir: path.join(dataDir, 'cfg'), wires: [wires] },
    { id: 'T', type: 'chargeledger-tariff', sell, buy: JSON.stringify({ currency: 'EUR', fixedPricePerKWh: '0.20' }), timezone: 'Europe/Amsterdam', dataDir: path.join(dataDir, 'tariff') },
    { id: 'P', type: 'chargeledger-price', name: 'price', tariff: 'T', wires: [[]] },
    { id: 'LD', type: 'chargeledger-load', name: 'site limit', siteMeterId: 'SITE', siteCurrentA: '40', connectors, safeCurrentA: 6, validForS: 10, siteTimeoutS: 5, rampStepA: 100, hysteresisA: 0, reserveA: 0, minOnS: 0, minOffS: 0, wires: [[]] },
    { id: 'out', type: 'helper' },
  ];
  const nodes = () => ['chargeledger-uplink', 'chargeledger-config-in', 'chargeledger-tariff', 'chargeledger-price', 'chargeledger-load'].map(nodeModule);
  async function start(wires?: string[]): Promise<any[]> {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'cl-cfgnode-'));
    await nodeRed.load(nodes(), flow(wires));
    const seen: any[] = [];
    nodeRed.getNode('cfg')!.on('call:status', (c: { args: any[] }) => seen.push(c.args[0]));
    await waitFor(() => seen.some((s) => s.text === 'connected'));
    return seen;
  }
  async function send(kind: string, body: unknown): Promise<any> {
    const n = results.length;
    await backend.publishAsync(`chargeledger/ST-1/config/${kind}`, JSON.stringify(body), { qos: 1 });
    await waitFor(() => results.length > n, 15_000);
    return results[n];
  }
  const stored = (kind: string) => {
    try {
      return JSON.parse(readFileSync(path.join(dataDir, 'cfg', `config-${kind}.json`), 'utf8')).version;
    } catch {
      return null;
    }
  };

  it('accepts limits and tariffs only after the load and price nodes applied them, with the version in force', async () => {
    await start();
    const got: any[] = [];
    nodeRed.getNode('out')!.on('input', (m: any) => got.push(m));
    expect(await send('limits', { stationId: 'ST-1', version: 5, payload: { version: 1, site: { maxCurrentA: 25 } } })).toEqual({ result: 'accepted', config: 'limits', version: 5, inForce: 5 });
    expect(await send('tariffs', { stationId: 'ST-1', version: 3, payload: tariffPayload(3) })).toEqual({ result: 'accepted', config: 'tariffs', version: 3, inForce: 3 });
    expect(got.map((m) => [m.topic, m.version])).toEqual([['limits', 5], ['tariffs', 3]]);
    expect([stored('limits'), stored('tariffs')]).toEqual([5, 3]);
  });

  it.each([
    ['tariffs', 'an unknown time zone', tariffPayload(2, { timezone: 'Mars/Olympus_Mons' }), /time zone/i],
    ['tariffs', 'step_size 0', tariffPayload(2, { sell: { ...JSON.parse(sell), elements: [{ price_components: [{ type: 'ENERGY', price: 0.25, step_size: 0 }] }] } }), /step_size/],
    ['tariffs', 'a price the engine cannot compute (1e308)', tariffPayload(2, { sell: { ...JSON.parse(sell), elements: [{ price_components: [{ type: 'ENERGY', price: 1e308, step_size: 1 }] }] } }), /price/],
    ['limits', 'a limit beyond any grid connection', { version: 1, site: { maxCurrentA: 1e300 } }, /maxCurrentA/],
    ['limits', 'a schedule that ends before it starts', { version: 1, schedule: [{ start: '2026-06-01T12:00:00Z', end: '2026-06-01T10:00:00Z', maxCurrentA: 10 }] }, /start < end/],
    ['limits', 'non-ISO dates', { version: 1, schedule: [{ start: 'tomorrow', end: 'next week', maxCurrentA: 10 }] }, /ISO 8601/],
  ])('rejects %s with %s before storing it, and keeps the version in force', async (kind, _what, payload, reason) => {
    await start();
    const ok = kind === 'tariffs' ? tariffPayload(1) : { version: 1, site: { maxCurrentA: 30 } };
    expect(await send(kind, { stationId: 'ST-1', version: 1, payload: ok })).toMatchObject({ result: 'accepted', inForce: 1 });
    const r = await send(kind, { stationId: 'ST-1', version: 2, payload });
    expect(r).toMatchObject({ result: 'rejected', config: kind, version: 2, inForce: 1, reason: expect.stringMatching(reason) });
    expect(stored(kind)).toBe(1);
  });

  it('rejects a tariff the price node does not take (older tariff version), naming the node', async () => {
    await start();
    expect(await send('tariffs', { stationId: 'ST-1', version: 1, payload: tariffPayload(7) })).toMatchObject({ result: 'accepted' });
    const r = await send('tariffs', { stationId: 'ST-1', version: 2, payload: tariffPayload(6) });
    expect(r).toMatchObject({ result: 'rejected', version: 2, inForce: 1, reason: expect.stringMatching(/chargeledger-price "price": tariff version 6 is not newer/) });
  });

  it('rejects a config that no wired node applies', async () => {
    await start(['out']);
    const r = await send('limits', { stationId: 'ST-1', version: 1, payload: { version: 1 } });
    expect(r).toMatchObject({ result: 'rejected', inForce: null, reason: expect.stringMatching(/no chargeledger-load node is wired/) });
    expect(readdirSync(path.join(dataDir, 'cfg'))).toEqual([]);
  });

  it('refuses a version jump, and a signed reset from the backend recovers a locked-out station', async () => {
    await start();
    expect(await send('limits', { stationId: 'ST-1', version: 4, payload: { version: 1 } })).toMatchObject({ result: 'accepted' });
    expect(await send('limits', { stationId: 'ST-1', version: 9007199254740991, payload: { version: 1 } })).toMatchObject({ result: 'rejected', inForce: 4, reason: expect.stringMatching(/version jump/) });
    // A station that an older release let jump: the backend starts a new sequence with a signed reset.
    const reset = { stationId: 'ST-1', version: 1, reset: true, issuedAt: new Date().toISOString(), payload: { version: 1, site: { maxCurrentA: 20 } } };
    expect(await send('limits', reset)).toMatchObject({ result: 'rejected', reason: expect.stringMatching(/must be signed/) });
    const sig = sign('sha256', Buffer.from(configSignedText(reset)), { key: createPrivateKey(readFileSync(backendKey.privateKeyFile, 'utf8')), dsaEncoding: 'der' }).toString('base64');
    expect(await send('limits', { ...reset, sig: sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })).toMatchObject({ result: 'rejected', reason: expect.stringMatching(/signature/) });
    expect(await send('limits', { ...reset, sig })).toEqual({ result: 'accepted', config: 'limits', version: 1, inForce: 1 });
    expect(await send('limits', { stationId: 'ST-1', version: 2, payload: { version: 1 } })).toMatchObject({ result: 'accepted', inForce: 2 });
  });

  it('a malformed update is reported with its reason, emits nothing and stores nothing', async () => {
    await start();
    const got: any[] = [];
    nodeRed.getNode('out')!.on('input', (m: any) => got.push(m));
    const r = await send('tariffs', { stationId: 'ST-2', version: 1, payload: {} });
    expect(r).toMatchObject({ result: 'rejected', config: 'tariffs', version: 1, reason: expect.stringMatching(/wrong station/) });
    expect(got).toEqual([]);
    expect(readdirSync(path.join(dataDir, 'cfg'))).toEqual([]);
  });

  it('hands the accepted configs to the nodes again after a redeploy', async () => {
    await start();
    expect(await send('limits', { stationId: 'ST-1', version: 5, payload: { version: 1 } })).toMatchObject({ result: 'accepted' });
    await nodeRed.setFlows(flow());
    const again: any[] = [];
    nodeRed.getNode('out')!.on('input', (m: any) => again.push(m));
    await waitFor(() => again.length === 1, 5000);
    expect(again[0]).toMatchObject({ kind: 'config', topic: 'limits', version: 5, stored: true });
  });
});
