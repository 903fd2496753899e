// The uplink config node: credentials, retained birth/will, one shared connection, refcounted.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { EventEmitter } from 'node:events';
import mqtt from 'mqtt';
import { nodeRed, nodeModule } from '../helpers/nodered';
import { startAedes, type TestBroker } from '../helpers/brokers';
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
