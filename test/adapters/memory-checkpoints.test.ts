import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../../src/adapters/memory-checkpoints';
import type { CheckpointStore } from '../../src/adapters/ports';
import { openStation, type Station } from '../../src/adapters/store/station';

// One contract suite for every CheckpointStore: the in-memory fake and the ledger's LevelDB store.
const stations: Array<{ station: Station; dir: string }> = [];
afterAll(async () => {
  for (const { station, dir } of stations) {
    await station.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const impls: Array<[string, () => CheckpointStore]> = [
  ['MemoryCheckpointStore', () => new MemoryCheckpointStore()],
  [
    'LevelCheckpointStore (real LevelDB)',
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'ck-contract-'));
      const station = openStation({ dataDir: dir, stationId: 'ST', identity: { gatewayId: 'test', gatewaySerial: 'ST', timeStatus: 'I' } });
      stations.push({ station, dir });
      return station.checkpoints;
    },
  ],
];

describe.each(impls)('CheckpointStore contract: %s', (_name, make) => {
  it('saves, replaces, lists and deletes checkpoints without sharing objects', async () => {
    const s = make();
    const state = { v: 1, n: 1 };
    await s.save('b', state);
    await s.save('a', { v: 1, n: 0 });
    state.n = 99; // mutating the caller's object must not change what was saved
    await s.save('a', { v: 1, n: 2, nested: { list: [1, 2, 3] } });
    expect(await s.loadAll()).toEqual([
      { sessionId: 'a', state: { v: 1, n: 2, nested: { list: [1, 2, 3] } } },
      { sessionId: 'b', state: { v: 1, n: 1 } },
    ]);
    await s.delete('a');
    await s.delete('missing');
    expect((await s.loadAll()).map((e) => e.sessionId)).toEqual(['b']);
  });
});

describe('MemoryCheckpointStore extras', () => {
  it('counts saves and bytes', async () => {
    const s = new MemoryCheckpointStore();
    await s.save('x', { a: 1 });
    expect(s.stats).toEqual({ saves: 1, bytes: 7 });
    expect(s.size).toBe(1);
  });
});
