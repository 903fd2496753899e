import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStation, type Station } from '../../../src/adapters/store/station';
import { LedgerWriteError } from '../../../src/adapters/store/ledger-store';
import { recordsOfConnector, recordsSince, recordTexts } from '../../../src/adapters/store/query';
import { createChainChecker } from '../../../src/adapters/crypto/ledger';
import { listPublicKeys } from '../../../src/adapters/keys/keystore';
import { GENESIS_PREV } from '../../../src/core/ledger/record';
import { makeSession } from '../../core/ledger/session-fixture';

const identity = { gatewayId: 'ChargeLedger', gatewaySerial: 'ST1', timeStatus: 'I' as const };

describe('LedgerStore (real LevelDB)', () => {
  let dir: string;
  let station: Station;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ledger-'));
    station = openStation({ dataDir: dir, stationId: 'ST1', identity });
  });
  afterEach(async () => {
    await station.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends records with strictly increasing seq and prev links', async () => {
    const a = await station.store.append(makeSession(1));
    const b = await station.store.append(makeSession(2));
    expect(a.record.seq).toBe(1);
    expect(a.record.prev).toBe(GENESIS_PREV);
    expect(b.record.seq).toBe(2);
    expect(b.record.prev).toBe(a.record.hash);
    expect(await station.store.getHead()).toEqual({ seq: 2, hash: b.record.hash });
  });

  it('dedupes by session id: the second append returns the stored record and writes nothing', async () => {
    const first = await station.store.append(makeSession(1));
    const again = await station.store.append(makeSession(1, { energyWh: 1 }));
    expect(again.duplicate).toBe(true);
    expect(again.record).toEqual(first.record);
    expect((await station.store.getHead()).seq).toBe(1);
    expect(await station.outbox.size()).toBe(1);
  });

  it('deletes the session checkpoint in the append batch and runs extraOps in the same batch', async () => {
    await station.checkpoints.save('sess-1', { open: true });
    await station.checkpoints.save('sess-9', { open: true });
    const rollups = station.store.sublevel('rollups');
    station.store.extraOps.push((rec) => [{ type: 'put', sublevel: rollups, key: `day!${rec.session.endTime.slice(0, 10)}`, value: String(rec.session.energyWh) }]);
    await station.store.append(makeSession(1));
    expect((await station.checkpoints.loadAll()).map((c) => c.sessionId)).toEqual(['sess-9']);
    expect(await rollups.get('day!2025-11-25')).toBe('5520');
  });

  it('a failing extraOps hook writes nothing at all', async () => {
    station.store.extraOps.push(() => {
      throw new Error('rollup bug');
    });
    await expect(station.store.append(makeSession(1))).rejects.toThrow('rollup bug');
    expect((await station.store.getHead()).seq).toBe(0);
    expect(await station.outbox.size()).toBe(0);
  });

  it('survives reopening: head, outbox and records come back; signatures verify', async () => {
    for (let n = 1; n <= 5; n++) await station.store.append(makeSession(n));
    await station.store.close();
    station = openStation({ dataDir: dir, stationId: 'ST1', identity });
    expect((await station.store.getHead()).seq).toBe(5);
    expect(await station.outbox.size()).toBe(5);
    const next = await station.store.append(makeSession(6));
    expect(next.record.seq).toBe(6);
    const checker = createChainChecker(listPublicKeys(station.paths.keys));
    const problems = [];
    for await (const { text } of recordTexts(station.store)) problems.push(...checker.push(JSON.parse(text)));
    expect([...problems, ...checker.finish()]).toEqual([]);
    expect(checker.checked).toBe(6);
  });

  it('indexes by time and by connector', async () => {
    for (let n = 1; n <= 4; n++) await station.store.append(makeSession(n));
    const since: string[] = [];
    for await (const r of recordsSince(station.store, makeSession(3).endTime)) since.push(r.id);
    expect(since).toEqual(['sess-3', 'sess-4']);
    const conn: string[] = [];
    for await (const r of recordsOfConnector(station.store, '2')) conn.push(r.id);
    expect(conn).toEqual(['sess-1', 'sess-3']);
  });

  it('emits appended after the batch is durable', async () => {
    const seen: number[] = [];
    station.store.on('appended', (r) => seen.push(r.seq));
    await station.store.append(makeSession(1));
    expect(seen).toEqual([1]);
  });

  it('holds writes while the database is locked by another opener, and writes once it is free', async () => {
    await station.store.append(makeSession(1));
    const second = openStation({ dataDir: dir, stationId: 'ST1', identity });
    await expect(second.store.append(makeSession(2))).rejects.toBeInstanceOf(LedgerWriteError);
    await station.store.close();
    const { record } = await second.store.append(makeSession(2));
    expect(record.seq).toBe(2);
    expect((await second.store.getBySessionId('sess-1'))?.seq).toBe(1);
    station = second;
  });
});
