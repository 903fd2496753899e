// Rollups in a real LevelDB (temp dir) next to a real LedgerStore: same batch as the append,
// survive a reopen, catch up after records appended while detached, rebuild from records.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerStore, type Sealer } from '../../../src/adapters/store/ledger-store';
import { SUBLEVELS } from '../../../src/adapters/store/layout';
import { acquireRollups, LevelRollups, releaseRollups, ROLLUP_SUBLEVEL } from '../../../src/adapters/rollups/level-rollups';
import type { LedgerRecord } from '../../../src/core/ledger/record';
import { series, session } from '../../core/tariff/session-helpers';

// A stand-in sealer: the rollups only read session and pricing, never the signature.
const sealer: Sealer = ({ session: s, pricing, seq, prev, createdAt }) => ({ v: 1, id: s.id, seq, prev, stationId: s.stationId, keyId: 'test', createdAt, session: s, pricing, ocmf: 'OCMF|{}|{}', hash: String(seq).padStart(64, '0') }) as LedgerRecord;

const pricing = (rev: number) => ({ currency: 'EUR', revenue: { total: { exclVatMinor: rev, inclVatMinor: rev } }, cost: { total: { exclVatMinor: 100 } }, marginMinor: rev - 100 });
const sess = (id: string, start: string, energies: number[]) => session(series(start, 60, energies), { id });

let dir: string;
let store: LedgerStore;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-rollups-'));
  store = new LedgerStore(path.join(dir, 'ledger'), { sealer, sync: false });
});

afterEach(async () => {
  await store.close().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('LevelRollups', () => {
  it('updates in the append batch and survives a reopen', async () => {
    const r = new LevelRollups(store);
    await r.attach();
    await store.append(sess('a', '2024-01-15T10:00:00Z', [5000]), { pricing: pricing(900) });
    await store.append(sess('b', '2024-01-15T12:00:00Z', [3000]), { pricing: pricing(500) });
    await store.append(sess('a', '2024-01-15T10:00:00Z', [5000]), { pricing: pricing(900) }); // duplicate: not counted
    expect(r.rows('site', 'day')[0]).toMatchObject({ sessions: 2, energyWh: 8000, revenueExclMinor: 1400, marginMinor: 1200 });
    const stored = await store.sublevel(ROLLUP_SUBLEVEL).get('c|site|day|2024-01-15|ST1');
    expect(JSON.parse(stored!)).toMatchObject({ sessions: 2, energyWh: 8000 });
    r.detach();
    await store.close();
    store = new LedgerStore(path.join(dir, 'ledger'), { sealer, sync: false });
    const again = new LevelRollups(store);
    await again.attach();
    expect(again.rows('site', 'day')[0]).toMatchObject({ sessions: 2, energyWh: 8000 });
  });

  it('catches up with records appended before it attached, and rebuilds to the same figures', async () => {
    await store.append(sess('a', '2024-01-15T10:00:00Z', [5000]), { pricing: pricing(900) });
    const r = new LevelRollups(store);
    await r.attach();
    await store.append(sess('b', '2024-01-16T10:00:00Z', [2000]), { pricing: pricing(300) });
    const before = r.rows('connector', 'day');
    expect(before.map((x) => [x.bucket, x.energyWh])).toEqual([['2024-01-15', 5000], ['2024-01-16', 2000]]);
    expect(await r.rebuild()).toBe(2);
    expect(r.rows('connector', 'day')).toEqual(before);
  });

  it('refuses to rebuild a pruned ledger unless forced', async () => {
    const r = new LevelRollups(store);
    await r.attach();
    await store.append(sess('a', '2024-01-15T10:00:00Z', [5000]));
    // What the ledger's pruning leaves behind: the anchor of the last removed record.
    await store.sublevel(SUBLEVELS.meta).put('pruned', JSON.stringify({ seq: 1, hash: '0'.repeat(64) }));
    await expect(r.rebuild()).rejects.toThrow(/pruned up to seq 1/);
    expect(r.rows('site', 'day')[0].sessions).toBe(1);
    expect(await r.rebuild({ force: true })).toBe(1);
  });

  it('a failed append batch leaves memory and disk rollups unchanged', async () => {
    const r = new LevelRollups(store);
    await r.attach();
    await store.append(sess('a', '2024-01-15T10:00:00Z', [5000]), { pricing: pricing(900) });
    // A hook that yields an invalid op makes the whole batch fail, as a disk error would.
    await expect(store.append(sess('b', '2024-01-15T11:00:00Z', [1000]), {}, { extraOps: () => [{ type: 'put', key: undefined as unknown as string, value: 'x' }] })).rejects.toThrow();
    expect(r.rows('site', 'day')[0]).toMatchObject({ sessions: 1, energyWh: 5000 });
    expect(JSON.parse((await store.sublevel(ROLLUP_SUBLEVEL).get('c|site|day|2024-01-15|ST1'))!)).toMatchObject({ sessions: 1 });
  });

  it('a time-zone change re-buckets by rebuilding', async () => {
    const r = acquireRollups(store, 'UTC');
    await r.attach();
    await store.append(sess('a', '2024-01-15T23:30:00Z', [1000]));
    expect(r.rows('site', 'day')[0].bucket).toBe('2024-01-15');
    releaseRollups(r, store);
    const ams = acquireRollups(store, 'Europe/Amsterdam');
    await ams.attach();
    expect(ams.rows('site', 'day').map((x) => x.bucket)).toEqual(['2024-01-16']);
    releaseRollups(ams, store);
  });
});
