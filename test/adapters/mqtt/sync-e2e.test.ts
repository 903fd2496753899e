// End to end over real brokers: station outbox → uplink → broker → reference receiver → ack → outbox.
import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { MemoryOutbox } from '../../../src/adapters/memory-outbox';
import { UplinkClient } from '../../../src/adapters/mqtt/uplink-client';
import { OutboxPump } from '../../../src/adapters/mqtt/outbox-pump';
import { Receiver, type ReceiverReport } from '../../../src/adapters/receiver/receiver';
import { keyVerifier } from '../../../src/adapters/receiver/verifier';
import { startAedes, startMosquitto, type TestBroker } from '../../helpers/brokers';
import { needBinary } from '../../helpers/realdeps';
import { waitFor } from '../../helpers/ports';
import { makeRecords, stationKey, toEntries } from '../receiver/signed-records';

const STATION = 'ST-1';
const key = stationKey();
const records = makeRecords(STATION, key, 1, 400);
const keys = new Map([[key.keyId, key.publicPem]]);

const brokers: Array<[string, () => Promise<TestBroker>]> = [['aedes', startAedes]];
if (needBinary('mosquitto')) brokers.push(['mosquitto', () => startMosquitto()]);

describe.each(brokers)('sync over %s', (kind, startBroker) => {
  let broker: TestBroker;
  const cleanups: Array<() => Promise<void> | void> = [];
  let share: string | undefined;

  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker.close();
  });
  beforeEach(() => {
    // A fresh share group per test: sessions of earlier receivers must not take a share.
    share = kind === 'mosquitto' ? `rx${Math.random().toString(36).slice(2, 8)}` : undefined;
  });
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
    if (!(await isUp(broker))) await broker.start();
  });

  function tmp(): string {
    const d = mkdtempSync(path.join(os.tmpdir(), 'cl-rx-'));
    cleanups.unshift(() => rmSync(d, { recursive: true, force: true }));
    return d;
  }

  async function station(outbox: MemoryOutbox, o: { ackTimeoutMs?: number; ratePerS?: number; clientId?: string } = {}) {
    const uplink = new UplinkClient({
      brokerUrl: broker.url,
      stationId: STATION,
      prefix: 'chargeledger',
      clientId: o.clientId ?? `st-${Math.random().toString(36).slice(2)}`,
      version: '0.1.0',
      backoff: { initialMs: 100, maxMs: 800, factor: 2 },
    });
    uplink.on('error', () => undefined);
    uplink.setBacklogProvider(() => outbox.size());
    const pump = new OutboxPump(uplink, outbox, { ackTimeoutMs: o.ackTimeoutMs ?? 2000, rate: { ratePerS: o.ratePerS ?? 2000, burst: 100 }, maxInFlight: 100, batchSize: 50, pollMs: 200 });
    pump.on('error', () => undefined);
    pump.start();
    uplink.start();
    cleanups.push(async () => {
      await pump.stop();
      await uplink.close();
    });
    return { uplink, pump };
  }

  async function receiver(outDir: string, clientId: string, hooks?: ConstructorParameters<typeof Receiver>[0]['hooks']) {
    // One receiver per group here, so it may wait for gaps to fill (the default only without a group).
    const rx = new Receiver({ brokerUrl: broker.url, outDir, verify: keyVerifier(keys), clientId, share, hooks, reorderWindowMs: 10_000 });
    const reports: ReceiverReport[] = [];
    rx.on('report', (r) => reports.push(r));
    rx.on('error', () => undefined);
    cleanups.push(() => rx.close());
    await rx.start();
    return { rx, reports };
  }

  const storedSeqs = (outDir: string): number[] => {
    const p = path.join(outDir, `${STATION}.jsonl`);
    return existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).seq) : [];
  };
  const seqRange = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

  it('broker down for a long stretch while sessions finish: everything arrives afterwards, in order, once', async () => {
    const out = tmp();
    const outbox = new MemoryOutbox();
    const { reports } = await receiver(out, `rx-long-${kind}`);
    const { uplink, pump } = await station(outbox);
    await waitFor(() => uplink.connected);
    await outbox.add(toEntries(records.slice(0, 20)));
    pump.kick();
    await waitFor(async () => (await outbox.size()) === 0);
    let failedAttempts = 0;
    uplink.on('offline', () => failedAttempts++);
    await broker.stop();
    await waitFor(() => !uplink.connected);
    // Sessions keep finishing while the link is down; several reconnection attempts fail meanwhile.
    for (let i = 20; i < 300; i += 40) {
      await outbox.add(toEntries(records.slice(i, i + 40)));
      pump.kick();
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(await outbox.size()).toBe(280);
    await waitFor(() => failedAttempts >= 4, 10_000);
    await broker.start();
    await waitFor(async () => (await outbox.size()) === 0, 20_000);
    expect(storedSeqs(out)).toEqual(seqRange(1, 300));
    expect(reports.filter((r) => ['gap', 'chain', 'rejected', 'reordered'].includes(r.type))).toEqual([]);
  });

  it('broker restarts mid-replay: nothing lost, nothing stored twice', async () => {
    const out = tmp();
    const outbox = new MemoryOutbox();
    await outbox.add(toEntries(records.slice(0, 400)));
    const { reports } = await receiver(out, `rx-restart-${kind}`);
    const { pump } = await station(outbox, { ratePerS: 400, ackTimeoutMs: 1500 });
    pump.kick();
    await waitFor(() => storedSeqs(out).length >= 80, 20_000);
    await broker.stop();
    expect(storedSeqs(out).length).toBeLessThan(400);
    await new Promise((r) => setTimeout(r, 300));
    await broker.start();
    await waitFor(async () => (await outbox.size()) === 0, 30_000);
    expect(storedSeqs(out)).toEqual(seqRange(1, 400));
    expect(reports.filter((r) => ['chain', 'rejected'].includes(r.type))).toEqual([]);
  });

  it('a record delivered twice is stored once and acked both times', async () => {
    const out = tmp();
    const { rx } = await receiver(out, `rx-dup-${kind}`);
    const acks: string[][] = [];
    rx.on('acked', (_s: string, ids: string[]) => acks.push(ids));
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    cleanups.push(() => pub.endAsync());
    const payload = JSON.stringify(records[0]);
    await pub.publishAsync(`chargeledger/${STATION}/sessions`, payload, { qos: 1 });
    await pub.publishAsync(`chargeledger/${STATION}/sessions`, payload, { qos: 1 });
    await waitFor(() => acks.flat().length === 2);
    expect(acks.flat()).toEqual([records[0]!.id, records[0]!.id]);
    expect(storedSeqs(out)).toEqual([1]);
    expect(rx.stats).toMatchObject({ stored: 1, duplicates: 1 });
  });

  it('receiver crashes after storing but before acking: delivered again, stored once', async () => {
    const out = tmp();
    const outbox = new MemoryOutbox();
    let crashed = false;
    const first = await receiver(out, `rx-crash1-${kind}`, {
      beforeAck: () => {
        crashed = true;
        throw new Error('simulated crash after fsync');
      },
    });
    const crash = new Promise((r) => first.rx.once('crash', r));
    const { pump } = await station(outbox, { ackTimeoutMs: 600 });
    await outbox.add(toEntries(records.slice(0, 3)));
    pump.kick();
    await crash;
    expect(crashed).toBe(true);
    const storedBeforeRestart = storedSeqs(out);
    expect(storedBeforeRestart.length).toBeGreaterThan(0);
    expect(await outbox.size()).toBe(3);
    const second = await receiver(out, `rx-crash1-${kind}`);
    await waitFor(async () => (await outbox.size()) === 0, 15_000);
    // Stored once each; the order may differ, as the broker may still hold a record it queued for the receiver.
    expect(storedSeqs(out).sort()).toEqual([1, 2, 3]);
    expect(second.rx.stats.duplicates).toBeGreaterThanOrEqual(storedBeforeRestart.length);
  });

  it('receiver crashes before storing: delivered again, stored once', async () => {
    const out = tmp();
    const outbox = new MemoryOutbox();
    const first = await receiver(out, `rx-crash2-${kind}`, {
      beforeStore: () => {
        throw new Error('simulated crash before fsync');
      },
    });
    const crash = new Promise((r) => first.rx.once('crash', r));
    const { pump } = await station(outbox, { ackTimeoutMs: 600 });
    await outbox.add(toEntries(records.slice(0, 3)));
    pump.kick();
    await crash;
    expect(storedSeqs(out)).toEqual([]);
    await receiver(out, `rx-crash2-${kind}`);
    await waitFor(async () => (await outbox.size()) === 0, 15_000);
    expect(storedSeqs(out).sort()).toEqual([1, 2, 3]);
  });
});

async function isUp(b: TestBroker): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect(b.port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
