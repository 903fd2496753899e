import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeModule, nodeRed } from '../helpers/nodered';
import { makeSession } from '../core/ledger/session-fixture';
import { createChainChecker } from '../../src/adapters/crypto/ledger';
import { listPublicKeys } from '../../src/adapters/keys/keystore';

const ledgerNode = nodeModule('chargeledger-ledger');
const recordNode = nodeModule('chargeledger-record');

type Any = Record<string, any>;

function flow(dataDir: string): unknown[] {
  return [
    { id: 'L', type: 'chargeledger-ledger', stationId: 'ST1', dataDir, retentionDays: 0 },
    { id: 'R', type: 'chargeledger-record', ledger: 'L', wires: [['OUT']] },
    { id: 'OUT', type: 'helper' },
  ];
}

function nextMessage(id: string): Promise<Any> {
  return new Promise((resolve) => nodeRed.getNode(id)!.on('input', (msg: Any) => resolve(msg)));
}

function nextCall(id: string, method: string, match: (args: unknown[]) => boolean = () => true): Promise<unknown[]> {
  return new Promise((resolve) => {
    nodeRed.getNode(id)!.on(`call:${method}`, (call: { args: unknown[] }) => {
      if (match(call.args)) resolve(call.args);
    });
  });
}

describe('chargeledger-record', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'record-node-'));
    nodeRed.settings({ chargeledgerRecordRetryMs: 50 });
  });
  afterEach(async () => {
    await nodeRed.unload();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs, chains and stores sessions, emitting kind "record" with status "seq N"', async () => {
    await nodeRed.load([ledgerNode, recordNode], flow(dataDir));
    const status = nextCall('R', 'status', (a) => (a[0] as Any).text === 'seq 2');
    const first = nextMessage('OUT');
    nodeRed.getNode('R')!.receive({ kind: 'session', topic: '1', payload: makeSession(1) });
    const m1 = await first;
    expect(m1.kind).toBe('record');
    expect(m1.topic).toBe('ST1');
    expect(m1.payload.seq).toBe(1);
    const second = nextMessage('OUT');
    nodeRed.getNode('R')!.receive({ kind: 'session', payload: makeSession(2), pricing: { tariffHash: 'abc', currency: 'EUR' } });
    const m2 = await second;
    expect(m2.payload.prev).toBe(m1.payload.hash);
    expect(m2.payload.tariffHash).toBe('abc');
    expect(m2.payload.pricing).toEqual({ tariffHash: 'abc', currency: 'EUR' });
    expect((await status)[0]).toMatchObject({ fill: 'green', text: 'seq 2' });
    const checker = createChainChecker(listPublicKeys(path.join(dataDir, 'ST1', 'keys')));
    expect([...checker.push(m1.payload), ...checker.push(m2.payload), ...checker.finish()]).toEqual([]);
  });

  it('sends the stored record again, flagged duplicate, when a session is re-emitted', async () => {
    await nodeRed.load([ledgerNode, recordNode], flow(dataDir));
    const first = nextMessage('OUT');
    nodeRed.getNode('R')!.receive({ kind: 'session', payload: makeSession(1) });
    const m1 = await first;
    const again = nextMessage('OUT');
    nodeRed.getNode('R')!.receive({ kind: 'session', payload: makeSession(1) });
    const m2 = await again;
    expect(m2.duplicate).toBe(true);
    expect(m2.payload).toEqual(m1.payload);
  });

  it('rejects a message that is not a finished session with a clear error', async () => {
    await nodeRed.load([ledgerNode, recordNode], flow(dataDir));
    const err = nextCall('R', 'error');
    nodeRed.getNode('R')!.receive({ kind: 'session', payload: { id: 'x' } });
    expect(String((await err)[0])).toMatch(/session: stationId must be a non-empty string/);
  });

  it('continues the sequence after a redeploy (durable state survives)', async () => {
    await nodeRed.load([ledgerNode, recordNode], flow(dataDir));
    const first = nextMessage('OUT');
    nodeRed.getNode('R')!.receive({ kind: 'session', payload: makeSession(1) });
    await first;
    await nodeRed.setFlows(flow(dataDir));
    const next = nextMessage('OUT');
    nodeRed.getNode('R')!.receive({ kind: 'session', payload: makeSession(2) });
    expect((await next).payload.seq).toBe(2);
  });

  it('holds sessions in memory when the disk is full, alarms, and catches up in order', async () => {
    await nodeRed.load([ledgerNode, recordNode], flow(dataDir));
    const ledger = nodeRed.getNode('L') as Any;
    await ledger.store.ready;
    // Fault injection: a real full disk is covered by test/adapters/store/disk-full.test.ts (tmpfs).
    const db = ledger.store.db;
    const realBatch = db.batch.bind(db);
    let full = true;
    db.batch = (...args: unknown[]) => (full ? Promise.reject(Object.assign(new Error('IO error: ledger/000005.log: No space left on device'), { code: 'LEVEL_IO_ERROR' })) : realBatch(...args));
    const red = nextCall('R', 'status', (a) => (a[0] as Any).text === 'held: 2, disk full');
    const alarm = nextCall('R', 'error', (a) => /LEDGER NOT WRITING \(disk full\)/.test(String(a[0])));
    nodeRed.getNode('R')!.receive({ kind: 'session', payload: makeSession(1) });
    await alarm;
    nodeRed.getNode('R')!.receive({ kind: 'session', payload: makeSession(2) });
    expect((await red)[0]).toMatchObject({ fill: 'red', shape: 'ring' });
    const out: Any[] = [];
    const both = new Promise<void>((resolve) => nodeRed.getNode('OUT')!.on('input', (m: Any) => out.push(m) === 2 && resolve()));
    full = false;
    await both;
    expect(out.map((m) => [m.payload.id, m.payload.seq])).toEqual([['sess-1', 1], ['sess-2', 2]]);
  });
});
