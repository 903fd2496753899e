// The uplink config node: credentials, retained birth/will, one shared connection, refcounted.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { EventEmitter } from 'node:events';
import mqtt from 'mqtt';
import { nodeRed, nodeModule } from '../helpers/nodered';
import { startAedes, startMosquitto, type TestBroker } from '../helpers/brokers';
import { needBinary } from '../helpers/realdeps';
import { waitFor } from '../helpers/ports';
import { MemoryOutbox } from '../../src/adapters/memory-outbox';

const outbox = new MemoryOutbox();
function testLedger(RED: any): void {
  RED.nodes.registerType('test-ledger', function (this: any, def: any) {
    RED.nodes.createNode(this, def);
    this.outbox = outbox;
    this.events = new EventEmitter();
  });
}

describe('chargeledger-uplink node', () => {
  let broker: TestBroker;
  const logins: Array<{ id: string; username?: string; password?: string }> = [];

  beforeAll(async () => {
    broker = await startAedes();
    broker.aedes!.authenticate = (client, username, password, done) => {
      logins.push({ id: (client as { id: string }).id, username, password: password?.toString() });
      done(null, username === 'station' && password?.toString() === 's3cret');
    };
    await outbox.add([{ id: 'a', seq: 1, payload: '{}' }, { id: 'b', seq: 2, payload: '{}' }]);
  });
  afterAll(async () => {
    await broker.close();
  });
  afterEach(async () => {
    await nodeRed.unload();
  });

  const nodes = () => [nodeModule('chargeledger-uplink'), nodeModule('chargeledger-sync'), nodeModule('chargeledger-config-in'), testLedger];
  const flow = () => [
    { id: 'up', type: 'chargeledger-uplink', broker: broker.url, stationId: 'ST-9', prefix: 'acme/eu', clientId: 'st-9-fixed' },
    { id: 'led', type: 'test-ledger' },
    { id: 'sync', type: 'chargeledger-sync', uplink: 'up', ledger: 'led', telemetryIntervalS: 0 },
    { id: 'cfg', type: 'chargeledger-config-in', uplink: 'up', emitStored: false },
  ];
  const creds = { up: { username: 'station', password: 's3cret' } };

  async function watchStatus(): Promise<{ last: () => any; close: () => Promise<void> }> {
    const c = await mqtt.connectAsync(broker.url, { username: 'station', password: 's3cret' });
    let last: any = null;
    c.on('message', (_t, p) => (last = JSON.parse(p.toString())));
    await c.subscribeAsync('acme/eu/ST-9/status', { qos: 1 });
    return { last: () => last, close: () => c.endAsync() };
  }

  it('logs in with the credentials, shares one connection and publishes a retained birth with the backlog', async () => {
    logins.length = 0;
    const status = await watchStatus();
    try {
      await nodeRed.load(nodes(), flow(), creds);
      await waitFor(() => status.last()?.state === 'online');
      expect(status.last()).toMatchObject({ state: 'online', backlog: 2, version: expect.any(String) });
      const stationLogins = logins.filter((l) => l.id === 'st-9-fixed');
      expect(stationLogins).toEqual([{ id: 'st-9-fixed', username: 'station', password: 's3cret' }]);
      // Removing one user keeps the connection; removing the last one says "offline".
      await nodeRed.setFlows(flow().filter((n) => n.id !== 'sync'), 'nodes', creds);
      await new Promise((r) => setTimeout(r, 200));
      await nodeRed.setFlows([{ id: 'x', type: 'test-ledger' }]);
      await waitFor(() => status.last()?.state === 'offline');
    } finally {
      await status.close();
    }
  });

  it('wrong credentials: refused, the sync node shows offline and keeps its backlog', async () => {
    await nodeRed.load(nodes(), flow(), { up: { username: 'station', password: 'wrong' } });
    const seen: any[] = [];
    nodeRed.getNode('sync')!.on('call:status', (c: { args: any[] }) => seen.push(c.args[0]));
    await waitFor(() => seen.some((s) => s.fill === 'red' && s.text === 'offline (2)'));
    expect(await outbox.size()).toBe(2);
  });
});

describe.runIf(needBinary('mosquitto'))('chargeledger-uplink node on a mosquitto that goes away', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.close();
  });
  afterEach(async () => {
    await nodeRed.unload();
  });

  it('logs a lost connection once, with its reason, however many retries fail meanwhile', async () => {
    const flow = [
      { id: 'up', type: 'chargeledger-uplink', broker: broker.url, stationId: 'ST-7', clientId: 'st-7-disc' },
      { id: 'led', type: 'test-ledger' },
      { id: 'sync', type: 'chargeledger-sync', uplink: 'up', ledger: 'led', telemetryIntervalS: 0 },
    ];
    await nodeRed.load([nodeModule('chargeledger-uplink'), nodeModule('chargeledger-sync'), testLedger], flow);
    const lines = (re: RegExp) => nodeRed.log().args.map(([e]) => e).filter((e) => e.id === 'up' && re.test(String(e.msg)));
    await waitFor(() => lines(/^connected to /).length === 1);
    // Watch the shared client's retries through a probe user of the config node.
    const up = nodeRed.getNode('up') as unknown as { acquire(u: { id: string }): EventEmitter; release(u: { id: string }): Promise<void> };
    const client = up.acquire({ id: 'probe' });
    let offline = 0;
    client.on('offline', () => offline++);
    try {
      await broker.stop();
      await waitFor(() => offline >= 3, 15_000); // the loss and at least two failed retries
      const down = lines(/^disconnected from /);
      expect(down).toHaveLength(1);
      expect(String(down[0].msg)).toMatch(new RegExp(`^disconnected from ${broker.url}: .+; reconnecting$`));
      expect(down[0].level).toBe(30); // a warning
      await broker.start();
      await waitFor(() => lines(/^connected to /).length === 2, 20_000);
      expect(lines(/^disconnected from /)).toHaveLength(1);
      await broker.stop();
      await waitFor(() => lines(/^disconnected from /).length === 2, 15_000);
      await broker.start();
    } finally {
      await up.release({ id: 'probe' });
    }
  }, 60_000);
});

