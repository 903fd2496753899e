// The config-in node: accepted updates are emitted for the price/load nodes and survive a
// redeploy; rejected ones are reported on config/result and change nothing.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { nodeRed, nodeModule } from '../helpers/nodered';
import { startAedes, type TestBroker } from '../helpers/brokers';
import { waitFor } from '../helpers/ports';

const schemasReady = existsSync(path.join(__dirname, '..', '..', 'schemas', 'limits-config.schema.json'));

describe('chargeledger-config-in node', () => {
  let broker: TestBroker;
  let dataDir: string;
  let backend: MqttClient;
  const results: any[] = [];

  beforeAll(async () => {
    broker = await startAedes();
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

  const flow = () => [
    { id: 'up', type: 'chargeledger-uplink', broker: broker.url, stationId: 'ST-1', clientId: 'cfg-node' },
    { id: 'cfg', type: 'chargeledger-config-in', uplink: 'up', dataDir, wires: [['out']] },
    { id: 'out', type: 'helper' },
  ];
  const nodes = () => [nodeModule('chargeledger-uplink'), nodeModule('chargeledger-config-in')];
  async function send(kind: string, body: unknown): Promise<any> {
    const n = results.length;
    await backend.publishAsync(`chargeledger/ST-1/config/${kind}`, JSON.stringify(body), { qos: 1 });
    await waitFor(() => results.length > n);
    return results[n];
  }

  it.runIf(schemasReady)('emits an accepted limits update (real schema), and again from disk after a redeploy', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'cl-cfgnode-'));
    await nodeRed.load(nodes(), flow());
    const got: any[] = [];
    nodeRed.getNode('out')!.on('input', (m: any) => got.push(m));
    const seen: any[] = [];
    nodeRed.getNode('cfg')!.on('call:status', (c: { args: any[] }) => seen.push(c.args[0]));
    await waitFor(() => seen.some((s) => s.text === 'connected'));
    expect(await send('limits', { stationId: 'ST-1', version: 5, payload: { version: 1 } })).toEqual({ result: 'accepted', config: 'limits', version: 5 });
    await waitFor(() => got.length === 1);
    expect(got[0]).toMatchObject({ kind: 'config', topic: 'limits', payload: { version: 1 }, version: 5 });
    await waitFor(() => seen.some((s) => s.text === 'limits v5' && s.fill === 'green'));

    // A redeploy re-sends what was accepted, from the data dir.
    await nodeRed.setFlows(flow());
    const again: any[] = [];
    nodeRed.getNode('out')!.on('input', (m: any) => again.push(m));
    await waitFor(() => again.length === 1, 5000);
    expect(again[0]).toMatchObject({ kind: 'config', topic: 'limits', version: 5, stored: true });
  });

  it('a rejected update is reported with its reason, emits nothing and stores nothing', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'cl-cfgnode-'));
    await nodeRed.load(nodes(), flow());
    const got: any[] = [];
    nodeRed.getNode('out')!.on('input', (m: any) => got.push(m));
    const seen: any[] = [];
    nodeRed.getNode('cfg')!.on('call:status', (c: { args: any[] }) => seen.push(c.args[0]));
    await waitFor(() => seen.some((s) => s.text === 'connected'));
    const r = await send('tariffs', { stationId: 'ST-2', version: 1, payload: {} });
    expect(r).toMatchObject({ result: 'rejected', config: 'tariffs', version: 1, reason: expect.stringMatching(/wrong station/) });
    await waitFor(() => seen.some((s) => s.text === 'rejected tariffs' && s.fill === 'yellow'));
    expect(got).toEqual([]);
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
