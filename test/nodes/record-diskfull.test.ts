import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { nodeModule, nodeRed } from '../helpers/nodered';
import { makeSession } from '../core/ledger/session-fixture';
import { checkStationChain } from '../../src/adapters/store/verify-chain';

const ledgerNode = nodeModule('chargeledger-ledger');
const recordNode = nodeModule('chargeledger-record');
type Any = Record<string, any>;

// The record node on a really full disk: a 3 MB tmpfs (mounting needs root; elsewhere the
// fault-injected test in record.test.ts covers the same behaviour).
const base = mkdtempSync(path.join(tmpdir(), 'record-diskfull-'));
const mnt = path.join(base, 'mnt');
mkdirSync(mnt);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt], { stdio: 'ignore' }).status === 0;

function fill(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (;;) writeSync(fd, Buffer.alloc(64 * 1024, 1));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

describe.runIf(mounted)('chargeledger-record on a full disk (tmpfs)', () => {
  afterEach(async () => {
    await nodeRed.unload();
  });
  afterAll(() => {
    spawnSync('umount', [mnt], { stdio: 'ignore' });
    rmSync(base, { recursive: true, force: true });
  });

  it('alarms, holds the sessions, never loses the stored ones, and catches up when space returns', async () => {
    nodeRed.settings({ chargeledgerRecordRetryMs: 100 });
    await nodeRed.load([ledgerNode, recordNode], [
      { id: 'L', type: 'chargeledger-ledger', stationId: 'ST1', dataDir: mnt, retentionDays: 0 },
      { id: 'R', type: 'chargeledger-record', ledger: 'L', wires: [['OUT']] },
      { id: 'OUT', type: 'helper' },
    ]);
    const out: Any[] = [];
    nodeRed.getNode('OUT')!.on('input', (m: Any) => out.push(m));
    const rec = nodeRed.getNode('R')!;
    const first = new Promise((resolve) => nodeRed.getNode('OUT')!.on('input', resolve));
    rec.receive({ kind: 'session', payload: makeSession(1) });
    await first;
    fill(path.join(mnt, 'filler'));
    const alarm = new Promise<unknown[]>((resolve) => rec.on('call:error', (c: { args: unknown[] }) => /LEDGER NOT WRITING \(disk full\)/.test(String(c.args[0])) && resolve(c.args)));
    const red = new Promise<unknown[]>((resolve) => rec.on('call:status', (c: { args: unknown[] }) => (c.args[0] as Any).text === 'held: 2, disk full' && resolve(c.args)));
    rec.receive({ kind: 'session', payload: makeSession(2) });
    await alarm;
    rec.receive({ kind: 'session', payload: makeSession(3) });
    expect((await red)[0]).toMatchObject({ fill: 'red' });
    const done = new Promise<void>((resolve) => nodeRed.getNode('OUT')!.on('input', () => out.length === 3 && resolve()));
    unlinkSync(path.join(mnt, 'filler'));
    await done;
    expect(out.map((m) => m.payload.seq)).toEqual([1, 2, 3]);
    await nodeRed.unload();
    expect(await checkStationChain(path.join(mnt, 'ST1'))).toEqual({ checked: 3, problems: [] });
  });
});
