import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildUnattributed } from '../../src/core/session/unattributed';
import { nodeModule, nodeRed } from '../helpers/nodered';
import { makeSession } from '../core/ledger/session-fixture';

const ledgerNode = nodeModule('chargeledger-ledger');
const recordNode = nodeModule('chargeledger-record');
type Any = Record<string, any>;

// Sessions held while the disk is full survive a restart through the spill directory (another filesystem).
describe('chargeledger-record: held count and spill', () => {
  let dataDir: string;
  let spillDir: string;
  const spillFile = () => path.join(spillDir, 'held-ST1-R.jsonl');
  const flow = () => [
    { id: 'L', type: 'chargeledger-ledger', stationId: 'ST1', dataDir, retentionDays: 0 },
    { id: 'R', type: 'chargeledger-record', ledger: 'L', spillDir, wires: [['OUT']] },
    { id: 'OUT', type: 'helper' },
  ];
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'record-spill-'));
    spillDir = mkdtempSync(path.join(tmpdir(), 'record-spill-2nd-'));
    nodeRed.settings({ chargeledgerRecordRetryMs: 50 });
  });
  afterEach(async () => {
    await nodeRed.unload();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(spillDir, { recursive: true, force: true });
  });

  it('spills held sessions (fsynced JSON lines), counts them on the ledger, and re-ingests them after a restart', async () => {
    await nodeRed.load([ledgerNode, recordNode], flow());
    const ledger = nodeRed.getNode('L') as Any;
    await ledger.store.ready;
    // Fault injection: the ledger's disk is full (a real full disk: record-diskfull.test.ts).
    ledger.store.db.batch = () => Promise.reject(Object.assign(new Error('IO error: No space left on device'), { code: 'LEVEL_IO_ERROR' }));
    const R = nodeRed.getNode('R')!;
    const status = new Promise((resolve) => R.on('call:status', (c: { args: Any[] }) => c.args[0].text === 'held: 3, disk full' && resolve(c.args[0])));
    for (const n of [1, 2, 3]) R.receive({ kind: 'session', payload: makeSession(n) });
    await status;
    expect(ledger.heldCount).toBe(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(spillFile(), 'utf8').trim().split('\n').map((l) => JSON.parse(l).session.id)).toEqual(['sess-1', 'sess-2', 'sess-3']);
    await nodeRed.unload(); // the process goes; the held sessions were only in memory and in the spill

    await nodeRed.load([ledgerNode, recordNode], flow());
    const out: Any[] = [];
    const three = new Promise<void>((resolve) => nodeRed.getNode('OUT')!.on('input', (m: Any) => out.push(m) === 3 && resolve()));
    await three;
    expect(out.map((m) => [m.payload.id, m.payload.seq])).toEqual([['sess-1', 1], ['sess-2', 2], ['sess-3', 3]]);
    await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(spillFile())).toBe(false);
    expect((nodeRed.getNode('L') as Any).heldCount).toBe(0);

    // An unattributed record from the session node's recovery loses the spans of the sessions read back.
    const s1 = makeSession(1);
    const s3 = makeSession(3);
    const ref = (energyWh: number, time: string) => ({ meterId: 'CP1-1', seq: 1, timeMs: Date.parse(time), monoMs: 0, energyWh });
    const u = buildUnattributed({ stationId: 'ST1', chargerId: 'CP1' }, '2', 11000, ref(s1.startReading.energyWh, s1.startTime), ref(140_000, s3.endTime), 140_000 - s1.startReading.energyWh, 'controller_restart', 'ab');
    const two = new Promise<void>((resolve) => nodeRed.getNode('OUT')!.on('input', () => out.length === 5 && resolve()));
    nodeRed.getNode('R')!.receive({ kind: 'session', payload: u });
    await two;
    expect(out.slice(3).map((m) => [m.payload.session.startReading.energyWh, m.payload.session.endReading.energyWh, m.payload.session.type])).toEqual([
      [s1.endReading.energyWh, s3.startReading.energyWh, 'unattributed'],
      [s3.endReading.energyWh, 140_000, 'unattributed'],
    ]);
  });
});
