// Whole chain in a real Node-RED runtime: record node → team LEDGER's ledger (LevelDB outbox,
// written in the record's batch) → sync node → aedes → reference receiver (verifies with the
// station's real key) → ack → the record leaves the LevelDB outbox.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeRed, nodeModule } from '../helpers/nodered';
import { startAedes, type TestBroker } from '../helpers/brokers';
import { waitFor } from '../helpers/ports';
import { Receiver } from '../../src/adapters/receiver/receiver';
import { keyVerifier } from '../../src/adapters/receiver/verifier';
import { loadPublicKeys } from '../../src/adapters/receiver/keys';
import { session } from '../adapters/receiver/signed-records';
import { testAckKey } from '../helpers/ack-key';

const ackKey = testAckKey();

describe('record → ledger → sync → receiver', () => {
  let broker: TestBroker;
  let dir: string;
  let rx: Receiver | undefined;

  beforeAll(async () => {
    broker = await startAedes();
  });
  afterAll(async () => {
    await broker.close();
  });
  afterEach(async () => {
    await nodeRed.unload();
    await rx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every finished session reaches the backend once, verified, and leaves the outbox only on the ack', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cl-e2e-sync-'));
    const flow = [
      { id: 'led', type: 'chargeledger-ledger', stationId: 'ST-1', dataDir: path.join(dir, 'data'), retentionDays: 0 },
      { id: 'rec', type: 'chargeledger-record', ledger: 'led', wires: [[]] },
      { id: 'up', type: 'chargeledger-uplink', broker: broker.url, stationId: 'ST-1', clientId: 'st-e2e', ackKey: ackKey.publicKeyFile },
      { id: 'sync', type: 'chargeledger-sync', uplink: 'up', ledger: 'led', ratePerS: 500, ackTimeoutS: 2, telemetryIntervalS: 0 },
    ];
    await nodeRed.load([nodeModule('chargeledger-ledger'), nodeModule('chargeledger-record'), nodeModule('chargeledger-uplink'), nodeModule('chargeledger-sync')], flow);
    const ledger = nodeRed.getNode('led') as unknown as { outbox: { size(): Promise<number> }; store: { ready: Promise<void> } };
    await ledger.store.ready;
    const seen: Array<{ text?: string }> = [];
    nodeRed.getNode('sync')!.on('call:status', (c: { args: [{ text?: string }] }) => seen.push(c.args[0]));

    // Sessions finish while no backend listens: they wait in the LevelDB outbox.
    for (let n = 1; n <= 5; n++) nodeRed.getNode('rec')!.receive({ kind: 'session', topic: '1', payload: session('ST-1', n) });
    await waitFor(async () => (await ledger.outbox.size()) === 5);
    await waitFor(() => seen.some((s) => s.text === 'queued: 5'));

    rx = new Receiver({ brokerUrl: broker.url, outDir: path.join(dir, 'rx'), verify: keyVerifier(loadPublicKeys(path.join(dir, 'data', 'ST-1', 'keys'))), clientId: 'rx-e2e', ackSigner: ackKey.signer });
    const problems: unknown[] = [];
    rx.on('report', (r: { type: string }) => r.type !== 'stored' && r.type !== 'duplicate' && problems.push(r));
    await rx.start();
    await waitFor(async () => (await ledger.outbox.size()) === 0, 15_000);
    await waitFor(() => seen.some((s) => s.text === 'synced'));
    const stored = readFileSync(path.join(dir, 'rx', 'ST-1.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(stored.map((r) => [r.seq, r.id])).toEqual([1, 2, 3, 4, 5].map((n) => [n, `ST-1-sess-${n}`]));
    expect(problems).toEqual([]);
  });
});
