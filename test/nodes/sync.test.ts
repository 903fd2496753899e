// The sync node in a real Node-RED runtime, against a real broker and the reference receiver.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { nodeRed, nodeModule } from '../helpers/nodered';
import { startAedes, type TestBroker } from '../helpers/brokers';
import { waitFor } from '../helpers/ports';
import { MemoryOutbox } from '../../src/adapters/memory-outbox';
import { Receiver } from '../../src/adapters/receiver/receiver';
import { keyVerifier } from '../../src/adapters/receiver/verifier';
import { makeRecords, stationKey, toEntries } from '../adapters/receiver/signed-records';
import { testAckKey } from '../helpers/ack-key';
import { testLedger, testLedgerEvents, testOutbox } from '../helpers/test-ledger';

const outbox = testOutbox;
const events = testLedgerEvents;

const key = stationKey();
const ackKey = testAckKey();
const records = makeRecords('ST-1', key, 1, 30);
type Status = { fill?: string; shape?: string; text?: string };

describe('chargeledger-sync node', () => {
  let broker: TestBroker;
  let dir: string;
  let rx: Receiver;

  beforeAll(async () => {
    broker = await startAedes();
  });
  afterAll(async () => {
    await broker.close();
  });
  afterEach(async () => {
    await nodeRed.unload();
    await rx?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const flow = (over: Record<string, unknown> = {}) => [
    { id: 'up', type: 'chargeledger-uplink', broker: broker.url, stationId: 'ST-1', prefix: 'chargeledger', clientId: 'st-node-test', ackKey: ackKey.publicKeyFile },
    { id: 'led', type: 'test-ledger' },
    { id: 'sync', type: 'chargeledger-sync', uplink: 'up', ledger: 'led', ratePerS: 1000, burst: 100, maxInFlight: 50, ackTimeoutS: 2, telemetryIntervalS: 0.2, ...over },
  ];
  const nodes = () => [nodeModule('chargeledger-uplink'), nodeModule('chargeledger-sync'), testLedger];

  function statuses(id: string): Status[] {
    const seen: Status[] = [];
    nodeRed.getNode(id)!.on('call:status', (call: { args: [Status] }) => seen.push(call.args[0]));
    return seen;
  }

  async function startReceiver(): Promise<void> {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cl-node-rx-'));
    rx = new Receiver({ brokerUrl: broker.url, outDir: dir, verify: keyVerifier(new Map([[key.keyId, key.publicPem]])), clientId: `rx-${Math.random()}`, ackSigner: ackKey.signer });
    await rx.start();
  }

  it('drains the backlog to the receiver, shows queued then synced, and wakes on appended records', async () => {
    outbox.current = new MemoryOutbox();
    await outbox.current.add(toEntries(records.slice(0, 10)));
    await startReceiver();
    await nodeRed.load(nodes(), flow());
    const seen = statuses('sync');
    await waitFor(() => seen.some((s) => s.text === 'synced' && s.fill === 'green'));
    expect(rx.stats.stored).toBe(10);
    await outbox.current.add(toEntries(records.slice(10, 25)));
    events.emit('appended', records[24]);
    await waitFor(async () => (await outbox.current.size()) === 0);
    expect(rx.stats.stored).toBe(25);
    await outbox.current.add(toEntries(records.slice(25, 30)));
    nodeRed.getNode('sync')!.receive({ kind: 'record', topic: 'ST-1', payload: records[29] });
    await waitFor(() => rx.stats.stored === 30);
  });

  it('shows the backlog while the broker is unreachable, and keeps it', async () => {
    outbox.current = new MemoryOutbox();
    await outbox.current.add(toEntries(records.slice(0, 7)));
    await broker.stop();
    try {
      await nodeRed.load(nodes(), flow());
      const seen = statuses('sync');
      await waitFor(() => seen.some((s) => s.fill === 'red' && s.text === 'offline (7)'));
      expect(await outbox.current.size()).toBe(7);
    } finally {
      await broker.start();
    }
  });

  it('shows "queued: N" while records wait for the backend ack', async () => {
    outbox.current = new MemoryOutbox();
    await outbox.current.add(toEntries(records.slice(0, 4)));
    // No receiver: the broker takes the records (PUBACK) but nobody acknowledges them.
    await nodeRed.load(nodes(), flow());
    const seen = statuses('sync');
    await waitFor(() => seen.some((s) => s.text === 'queued: 4' && s.fill === 'yellow'));
    expect(await outbox.current.size()).toBe(4);
  });

  it('publishes telemetry QoS 0 from readings, health and setpoints', async () => {
    outbox.current = new MemoryOutbox();
    const sub = await mqtt.connectAsync(broker.url);
    const got: any[] = [];
    sub.on('message', (_t, p) => got.push(JSON.parse(p.toString())));
    await sub.subscribeAsync('chargeledger/ST-1/telemetry');
    try {
      await nodeRed.load(nodes(), flow());
      const seen = statuses('sync');
      await waitFor(() => seen.some((s) => s.text === 'synced'));
      const n = nodeRed.getNode('sync')!;
      n.receive({ kind: 'reading', topic: 'CP1-1', payload: { meterId: 'CP1-1', seq: 1, timeMs: 1, monoMs: 1, powerW: 11040, energyImportWh: 123456, currentA: [16, 16, 16] } });
      n.receive({ kind: 'health', topic: 'CP1-1', payload: { meterId: 'CP1-1', state: 'ok', lastGoodAgeMs: 0, errors: {}, sinceMs: 1 } });
      n.receive({ kind: 'setpoint', topic: '1', payload: { connectorId: '1', currentA: 16, phases: 3, boundBy: 'site_power' } });
      await waitFor(() => got.some((m) => m.setpoints?.['1']));
      const last = got[got.length - 1];
      expect(last).toMatchObject({ v: 1, stationId: 'ST-1', meters: { 'CP1-1': { powerW: 11040, energyImportWh: 123456, health: 'ok' } }, setpoints: { '1': { currentA: 16, phases: 3, boundBy: 'site_power' } } });
    } finally {
      await sub.endAsync();
    }
  });

  it('reports a missing ledger instead of crashing', async () => {
    await nodeRed.load(nodes(), [flow()[0], { id: 'sync', type: 'chargeledger-sync', uplink: 'up', ledger: 'nope' }]);
    const n = nodeRed.getNode('sync')!;
    const errs: unknown[] = [];
    n.on('call:error', (c: { args: unknown[] }) => errs.push(c.args[0]));
    n.receive({ kind: 'record' });
    await waitFor(() => errs.some((e) => /sync node is not configured/.test(String(e))));
  });
});
