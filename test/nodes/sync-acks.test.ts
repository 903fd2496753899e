// The station's trust boundary for acks, against a real mosquitto: a hostile client on the same
// broker can publish on the acks topic, and nothing it sends removes a record.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import mqtt from 'mqtt';
import { nodeRed, nodeModule } from '../helpers/nodered';
import { startMosquitto, type TestBroker } from '../helpers/brokers';
import { needBinary } from '../helpers/realdeps';
import { waitFor } from '../helpers/ports';
import { MemoryOutbox } from '../../src/adapters/memory-outbox';
import { createAckSigner } from '../../src/adapters/crypto/ack-keys';
import { formatAck, MAX_ACK_IDS } from '../../src/core/sync/ack';
import { makeRecords, stationKey, toEntries } from '../adapters/receiver/signed-records';
import { testAckKey } from '../helpers/ack-key';
import { testLedger, testOutbox } from '../helpers/test-ledger';

const outbox = testOutbox;

const records = makeRecords('ST-1', stationKey(), 1, 5);
const ids = records.map((r) => r.id);
const backend = testAckKey();
const impostor = createAckSigner(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
type Status = { fill?: string; text?: string };


describe.runIf(needBinary('mosquitto'))('acks are authenticated (real mosquitto)', () => {
  let broker: TestBroker;
  let hostile: mqtt.MqttClient;
  const telemetry: any[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    nodeRed.settings({ chargeledgerAckFloodPauseMs: 1000 });
  });
  afterAll(async () => {
    await broker.close();
  });
  afterEach(async () => {
    await nodeRed.unload();
    await hostile?.endAsync();
    telemetry.length = 0;
  });

  const flow = (ackKey: string) => [
    { id: 'up', type: 'chargeledger-uplink', broker: broker.url, stationId: 'ST-1', clientId: 'st-acks', ackKey },
    { id: 'led', type: 'test-ledger' },
    { id: 'sync', type: 'chargeledger-sync', uplink: 'up', ledger: 'led', ratePerS: 1000, burst: 100, ackTimeoutS: 60, telemetryIntervalS: 0.1 },
  ];
  async function start(ackKey: string): Promise<Status[]> {
    outbox.current = new MemoryOutbox();
    await outbox.current.add(toEntries(records));
    hostile = await mqtt.connectAsync(broker.url, { clientId: 'hostile' });
    hostile.on('message', (_t, p) => telemetry.push(JSON.parse(p.toString())));
    await hostile.subscribeAsync('chargeledger/ST-1/telemetry');
    await nodeRed.load([nodeModule('chargeledger-uplink'), nodeModule('chargeledger-sync'), testLedger], flow(ackKey));
    const seen: Status[] = [];
    nodeRed.getNode('sync')!.on('call:status', (c: { args: [Status] }) => seen.push(c.args[0]));
    return seen;
  }
  const refused = () => (telemetry.at(-1)?.acks?.refused ?? {}) as Record<string, number>;
  const send = (body: string | Buffer) => hostile.publishAsync('chargeledger/ST-1/acks', body, { qos: 1 });

  it('forged, foreign-station, replayed, tampered and impostor acks remove nothing; the backend-signed ack does', async () => {
    const seen = await start(backend.publicKeyFile);
    await waitFor(() => seen.some((s) => s.text === 'queued: 5'));
    const now = Date.now();
    const tampered = JSON.parse(formatAck([ids[0]!], backend.signer('ST-1', [ids[0]!], now))) as { ack: string[] };
    tampered.ack = [ids[0]!, ids[1]!];
    await send(formatAck([ids[1]!])); // the forged ack of the hostile test
    await send(formatAck([ids[1]!], backend.signer('ST-2', [ids[1]!], now))); // another station's
    await send(formatAck([ids[1]!], backend.signer('ST-1', [ids[1]!], now - 2 * 3_600_000))); // replayed from long ago
    await send(JSON.stringify(tampered));
    await send(formatAck([ids[1]!], impostor('ST-1', [ids[1]!], now)));
    await waitFor(() => Object.values(refused()).reduce((a, b) => a + b, 0) === 5);
    expect(refused()).toEqual({ unsigned: 1, foreign_station: 1, stale: 1, bad_signature: 2 });
    expect(await outbox.current.size()).toBe(5);
    await send(formatAck([ids[0]!], backend.signer('ST-1', [ids[0]!])));
    await waitFor(async () => (await outbox.current.size()) === 4);
    expect((await outbox.current.peek(10)).map((e) => e.id)).not.toContain(ids[0]);
  });

  it('an ack flood (100 messages of 10,000 ids, 100 of the most ids, oversized ones) removes nothing, pauses the acks subscription, and the real ack gets through', async () => {
    const seen = await start(backend.publicKeyFile);
    await waitFor(() => seen.some((s) => s.text === 'queued: 5'));
    const flood = (n: number) => formatAck([...ids, ...Array.from({ length: n - ids.length }, (_, i) => `flood-${i}-${'x'.repeat(20)}`)]);
    const burst = [...Array(100).fill(flood(10_000)), ...Array(100).fill(flood(MAX_ACK_IDS)), ...Array(5).fill(Buffer.alloc(200_000, 0x20))];
    await Promise.all(burst.map((b) => send(b)));
    const warned = () => nodeRed.log().args.some(([e]) => /ack flood: not listening for acks/.test(String(e.msg)));
    await waitFor(warned, 10_000);
    expect(refused().rate_limited ?? 0).toBeGreaterThan(0);
    expect(await outbox.current.size()).toBe(5);
    // After the pause the station listens again; the backend's real ack (re-sent as a backend does) removes its record.
    const valid = () => send(formatAck([ids[2]!], backend.signer('ST-1', [ids[2]!])));
    await waitFor(async () => {
      await valid();
      return (await outbox.current.size()) === 4;
    }, 15_000);
  });

  it('without a backend key the station keeps every record and says why', async () => {
    const seen = await start('');
    await waitFor(() => seen.some((s) => s.fill === 'red' && s.text === 'no ack key (5)'));
    await send(formatAck([ids[0]!], backend.signer('ST-1', [ids[0]!])));
    await waitFor(() => (refused().bad_signature ?? 0) === 1);
    expect(await outbox.current.size()).toBe(5);
  });
});
