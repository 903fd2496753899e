// The uplink connection on real brokers: protocol fallback, persistent session, birth and will.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { UplinkClient } from '../../../src/adapters/mqtt/uplink-client';
import { startAedes, startMosquitto, type TestBroker } from '../../helpers/brokers';
import { needBinary } from '../../helpers/realdeps';
import { freePort, waitFor } from '../../helpers/ports';

const brokers: Array<[string, () => Promise<TestBroker>, 4 | 5]> = [['aedes', startAedes, 4]];
if (needBinary('mosquitto')) brokers.push(['mosquitto', () => startMosquitto(), 5]);

describe.each(brokers)('UplinkClient on %s', (_kind, startBroker, expectedProtocol) => {
  let broker: TestBroker;
  let backend: MqttClient;
  const opened: UplinkClient[] = [];
  const client = (clientId: string, extra: Partial<ConstructorParameters<typeof UplinkClient>[0]> = {}) => {
    const c = new UplinkClient({ brokerUrl: broker.url, stationId: 'ST-1', prefix: 'chargeledger', clientId, version: '9.9.9', backoff: { initialMs: 50, maxMs: 200, factor: 2 }, ...extra });
    c.on('error', () => undefined);
    opened.push(c);
    return c;
  };

  beforeAll(async () => {
    broker = await startBroker();
    backend = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  });
  afterAll(async () => {
    await backend.endAsync();
    await broker.close();
  });
  afterEach(async () => {
    for (const c of opened.splice(0)) await c.close();
  });

  it(`connects with MQTT ${expectedProtocol === 5 ? '5' : '3.1.1 after the broker refuses 5'}`, async () => {
    const c = client(`proto-${Math.random()}`);
    const connected = new Promise<{ protocolVersion: number }>((r) => c.once('connect', r));
    c.start();
    expect((await connected).protocolVersion).toBe(expectedProtocol);
    expect(c.protocolVersion).toBe(expectedProtocol);
  });

  it('publishes a retained online birth with the backlog, and the retained offline will when the link dies', async () => {
    const seen: any[] = [];
    const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    watcher.on('message', (_t, p) => seen.push(JSON.parse(p.toString())));
    await watcher.subscribeAsync('chargeledger/ST-1/status', { qos: 1 });
    try {
      const c = client(`birth-${Math.random()}`);
      c.setBacklogProvider(async () => 42);
      c.start();
      await waitFor(() => seen.some((m) => m.state === 'online'));
      expect(seen.find((m) => m.state === 'online')).toEqual({ state: 'online', version: '9.9.9', backlog: 42, since: expect.stringMatching(/Z$/) });
      // A late subscriber gets it too: it is retained.
      const late = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
      const retained = new Promise<any>((r) => late.once('message', (_t, p, packet) => r({ ...JSON.parse(p.toString()), retain: packet.retain })));
      await late.subscribeAsync('chargeledger/ST-1/status');
      expect(await retained).toMatchObject({ state: 'online', retain: true });
      await late.endAsync();
      // The link dies without a DISCONNECT (the TCP connection drops): the broker publishes the will,
      // then the client reconnects by itself and says online again.
      (c as unknown as { client: { stream: { destroy(): void } } }).client.stream.destroy();
      await waitFor(() => seen.some((m) => m.state === 'offline'), 10_000);
      const offlineAt = seen.findIndex((m) => m.state === 'offline');
      await waitFor(() => seen.slice(offlineAt).some((m) => m.state === 'online'), 10_000);
    } finally {
      await watcher.endAsync();
    }
  });

  it('keeps its session under a stable client id: an ack sent while it is away arrives when it is back', async () => {
    const id = `persist-${Math.random()}`;
    const first = client(id);
    first.subscribe('chargeledger/ST-1/acks', 1, () => undefined);
    const up = new Promise((r) => first.once('connect', r));
    first.start();
    await up;
    await new Promise((r) => setTimeout(r, 100));
    await first.close();
    await backend.publishAsync('chargeledger/ST-1/acks', '{"ack":["while-away"]}', { qos: 1 });
    const second = client(id);
    const got: string[] = [];
    second.subscribe('chargeledger/ST-1/acks', 1, (p) => got.push(p.toString()));
    second.start();
    await waitFor(() => got.length > 0);
    expect(got).toEqual(['{"ack":["while-away"]}']);
  });

  it('never buffers while offline: publish rejects', async () => {
    const c = client(`off-${Math.random()}`, { brokerUrl: `mqtt://127.0.0.1:${await freePort()}` });
    c.start();
    await expect(c.publish('chargeledger/ST-1/sessions', 'x', { qos: 1 })).rejects.toThrow(/offline/);
  });
});
