import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStation, type Station } from '../../../src/adapters/store/station';
import { pruneSynced } from '../../../src/adapters/store/prune';
import { isSynced, prunedAnchor, recordTexts } from '../../../src/adapters/store/query';
import { checkStationChain } from '../../../src/adapters/store/verify-chain';
import { makeSession } from '../../core/ledger/session-fixture';

describe('retention pruning', () => {
  let dir: string;
  let station: Station;
  let nowMs = 0;
  beforeEach(async () => {
    nowMs = Date.UTC(2025, 0, 1);
    dir = mkdtempSync(path.join(tmpdir(), 'prune-'));
    station = openStation({ dataDir: dir, stationId: 'ST1', identity: { gatewayId: 'CL', gatewaySerial: 'ST1', timeStatus: 'I' }, now: () => nowMs, sync: false });
    for (let n = 1; n <= 6; n++) {
      await station.store.append(makeSession(n));
      nowMs += 86_400_000; // one record per day
    }
  });
  afterEach(async () => {
    await station.store.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  const seqs = async (): Promise<number[]> => {
    const out: number[] = [];
    for await (const { seq } of recordTexts(station.store)) out.push(seq);
    return out;
  };

  it('removes synced records past the retention, never unsynced ones, and keeps the chain verifiable', async () => {
    await station.outbox.ack(['sess-1', 'sess-2', 'sess-3', 'sess-5']);
    // Everything is older than the cutoff, but seq 4 is unsynced: pruning stops there.
    const r = await pruneSynced(station.store, nowMs + 1);
    expect(r).toEqual({ removed: 3, throughSeq: 3 });
    expect(await seqs()).toEqual([4, 5, 6]);
    expect((await prunedAnchor(station.store))?.seq).toBe(3);
    expect(await isSynced(station.store, 5)).toBe(true);
    await station.store.close();
    const report = await checkStationChain(path.join(dir, 'ST1'));
    expect(report).toEqual({ checked: 3, problems: [] });
  });

  it('keeps synced records younger than the retention', async () => {
    await station.outbox.ack(['sess-1', 'sess-2', 'sess-3', 'sess-4', 'sess-5', 'sess-6']);
    const cutoff = Date.UTC(2025, 0, 1) + 2 * 86_400_000; // records created on day 0 and 1 are past it
    expect(await pruneSynced(station.store, cutoff)).toEqual({ removed: 2, throughSeq: 2 });
    expect(await seqs()).toEqual([3, 4, 5, 6]);
    expect(await station.outbox.size()).toBe(0);
    // New appends continue the chain after pruning.
    expect((await station.store.append(makeSession(7))).record.seq).toBe(7);
  });
});
