// Receiver bookkeeping with real signed records and real files (no broker needed).
import { describe, it, expect, afterEach } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JsonlStore, storePath } from '../../../src/adapters/receiver/jsonl-store';
import { DEFAULT_REORDER_WINDOW_MS, StationState } from '../../../src/adapters/receiver/station-state';
import { DEFAULT_WINDOW } from '../../../src/core/sync/window';
import { keyVerifier } from '../../../src/adapters/receiver/verifier';
import { loadPublicKeys } from '../../../src/adapters/receiver/keys';
import { makeRecords, stationKey } from './signed-records';
import { writeFileSync, mkdirSync } from 'node:fs';

const key = stationKey();
const recs = makeRecords('ST-1', key, 1, 6);
const verify = keyVerifier(new Map([[key.keyId, key.publicPem]]));
const buf = (v: unknown) => Buffer.from(JSON.stringify(v));
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'cl-st-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('StationState', () => {
  it('stores new records, acks duplicates without storing them again', () => {
    const s = new StationState();
    expect(s.classify(buf(recs[0]), 'ST-1', verify)).toMatchObject({ kind: 'store', ackId: recs[0]!.id, reports: [{ type: 'stored', seq: 1 }] });
    expect(s.classify(buf(recs[0]), 'ST-1', verify)).toMatchObject({ kind: 'duplicate', ackId: recs[0]!.id, reports: [{ type: 'duplicate' }] });
  });

  it('quarantines bad signatures, tampering and foreign station ids, and acks them', () => {
    const s = new StationState();
    const tampered = { ...recs[0]!, session: { ...recs[0]!.session, energyWh: 1 } };
    const t = s.classify(buf(tampered), 'ST-1', verify);
    expect(t).toMatchObject({ kind: 'reject', ackId: recs[0]!.id });
    expect(t.reports.every((r) => r.type === 'rejected') && t.reports.some((r) => /altered/.test(r.message ?? ''))).toBe(true);
    const other = makeRecords('ST-1', stationKey(), 2, 2)[0]!;
    expect(s.classify(buf(other), 'ST-1', verify)).toMatchObject({ kind: 'reject', reports: [{ message: expect.stringMatching(/unknown-key/) }] });
    expect(new StationState().classify(buf(recs[1]), 'ST-9', verify)).toMatchObject({ kind: 'reject', reports: [{ message: expect.stringMatching(/does not match the topic/) }] });
    expect(s.classify(Buffer.from('nope'), 'ST-1', verify)).toMatchObject({ kind: 'drop', reports: [{ type: 'malformed' }] });
    expect(s.classify(buf({ seq: 1 }), 'ST-1', verify)).toMatchObject({ kind: 'drop', reports: [{ type: 'malformed', message: 'record without an id' }] });
  });

  it('without a hold, reports a gap and a late record as reordered', () => {
    const s = new StationState();
    s.classify(buf(recs[0]), 'ST-1', verify);
    expect(s.classify(buf(recs[2]), 'ST-1', verify).reports.map((r) => r.type)).toEqual(['gap', 'stored']);
    expect(s.classify(buf(recs[1]), 'ST-1', verify).reports.map((r) => r.type)).toEqual(['reordered', 'stored']);
  });

  it('with a hold, stores in seq order once the gap fills, and gives up after the window', () => {
    const s = new StationState();
    expect(s.classify(buf(recs[0]), 'ST-1', verify, 0, 1000).kind).toBe('store');
    expect(s.classify(buf(recs[2]), 'ST-1', verify, 0, 1000).kind).toBe('held');
    expect(s.classify(buf(recs[3]), 'ST-1', verify, 0, 1000).kind).toBe('held');
    expect(s.classify(buf(recs[2]), 'ST-1', verify, 0, 1000).kind).toBe('held');
    expect(s.release(500, 1000)).toEqual([]);
    expect(s.classify(buf(recs[1]), 'ST-1', verify, 600, 1000)).toMatchObject({ kind: 'store', reports: [{ type: 'stored', seq: 2 }] });
    expect(s.release(600, 1000).map((c) => c.reports.map((r) => `${r.type}:${r.seq}`))).toEqual([['stored:3'], ['stored:4']]);
    // seq 5 never comes: seq 6 is stored after the window, with the gap reported.
    expect(s.classify(buf(recs[5]), 'ST-1', verify, 700, 1000).kind).toBe('held');
    expect(s.release(1699, 1000)).toEqual([]);
    expect(s.release(1700, 1000).map((c) => c.reports.map((r) => r.type))).toEqual([['gap', 'stored']]);
  });

  it('joining late, waits for the backlog the station resends one ack timeout later: no false gap or reordering', () => {
    // The receiver was away: the station holds seq 1..5 unacked and publishes seq 6 live first;
    // it resends 1..5 (in seq order) once their ack timeout has passed.
    const s = new StationState();
    const hold = DEFAULT_REORDER_WINDOW_MS;
    expect(s.classify(buf(recs[5]), 'ST-1', verify, 0, hold).kind).toBe('held');
    expect(s.release(DEFAULT_WINDOW.ackTimeoutMs - 1, hold)).toEqual([]);
    const types: string[] = [];
    recs.slice(0, 5).forEach((r, i) => {
      const at = DEFAULT_WINDOW.ackTimeoutMs + i * 10;
      types.push(...s.classify(buf(r), 'ST-1', verify, at, hold).reports.map((x) => `${x.type}:${x.seq}`));
      for (const c of s.release(at, hold)) types.push(...c.reports.map((x) => `${x.type}:${x.seq}`));
    });
    expect(types).toEqual(['stored:1', 'stored:2', 'stored:3', 'stored:4', 'stored:5', 'stored:6']);
  });

  it('does not call a gap while a backlog streams in, in seq order, slower than the window', () => {
    // A long backlog replayed at the station's rate limit takes longer than any fixed window.
    const many = makeRecords('ST-1', key, 1, 10);
    const s = new StationState();
    const hold = 1000;
    expect(s.classify(buf(many[9]), 'ST-1', verify, 0, hold).kind).toBe('held');
    const types: string[] = [];
    many.slice(0, 9).forEach((r, i) => {
      const at = 800 + i * 400; // the last backlog record arrives at 4000 ms, long after the window
      for (const c of s.release(at, hold)) types.push(...c.reports.map((x) => x.type));
      types.push(...s.classify(buf(r), 'ST-1', verify, at, hold).reports.map((x) => x.type));
    });
    for (const c of s.release(4000, hold)) types.push(...c.reports.map((x) => x.type));
    expect(types).toEqual(Array(10).fill('stored'));
    // Once nothing has moved for the window, a real gap is still reported.
    const t = new StationState();
    t.classify(buf(many[0]), 'ST-1', verify, 0, hold);
    t.classify(buf(many[2]), 'ST-1', verify, 100, hold);
    expect(t.release(1099, hold)).toEqual([]);
    expect(t.release(1100, hold).map((c) => c.reports.map((r) => r.type))).toEqual([['gap', 'stored']]);
  });

  it('reloads from its files after a restart: no double storing, chain continues', () => {
    const dir = tmp();
    const store = new JsonlStore(dir);
    const s = StationState.load(store, 'ST-1');
    for (const r of recs.slice(0, 3)) store.append('ST-1', 'records', [s.classify(buf(r), 'ST-1', verify).line]);
    store.close();
    const again = StationState.load(new JsonlStore(dir), 'ST-1');
    expect(again.count).toBe(3);
    expect(again.classify(buf(recs[1]), 'ST-1', verify).kind).toBe('duplicate');
    expect(again.classify(buf(recs[3]), 'ST-1', verify).reports.map((r) => r.type)).toEqual(['stored']);
  });
});

describe('JsonlStore', () => {
  it('cuts a torn last line (crash mid-write) so appends start clean', () => {
    const dir = tmp();
    const store = new JsonlStore(dir);
    store.append('ST-1', 'records', ['{"id":"a","seq":1}']);
    appendFileSync(storePath(dir, 'ST-1', 'records'), '{"id":"b","se');
    expect(new JsonlStore(dir).load('ST-1', 'records')).toEqual([{ id: 'a', seq: 1 }]);
    store.append('ST-1', 'records', ['{"id":"c","seq":2}']);
    store.close();
    expect(readFileSync(storePath(dir, 'ST-1', 'records'), 'utf8')).toBe('{"id":"a","seq":1}\n{"id":"c","seq":2}\n');
  });
  it('keeps station ids from escaping the directory', () => {
    expect(path.basename(storePath('/x', '../etc', 'records'))).toBe('%2E%2E%2Fetc.jsonl');
  });
});

describe('loadPublicKeys', () => {
  it('reads a PEM file or a directory, keyed by key id', () => {
    const dir = tmp();
    const k2 = stationKey();
    mkdirSync(path.join(dir, 'keys'));
    writeFileSync(path.join(dir, 'keys', 'a.pem'), key.publicPem);
    writeFileSync(path.join(dir, 'keys', 'b.pem'), k2.publicPem);
    writeFileSync(path.join(dir, 'keys', 'station.key'), '-----BEGIN PRIVATE KEY-----\nMIG...\n-----END PRIVATE KEY-----\n');
    expect([...loadPublicKeys(path.join(dir, 'keys')).keys()].sort()).toEqual([key.keyId, k2.keyId].sort());
    mkdirSync(path.join(dir, 'junk'));
    writeFileSync(path.join(dir, 'junk', 'readme.txt'), 'hello');
    expect(() => loadPublicKeys(path.join(dir, 'junk'))).toThrow(/no public keys .*readme\.txt/);
    expect([...loadPublicKeys(path.join(dir, 'keys', 'a.pem')).keys()]).toEqual([key.keyId]);
  });
});
