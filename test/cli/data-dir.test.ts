// Every station command finds the station's files the same way as the running station
// (--data, then CHARGELEDGER_DATA_DIR, then ./data), on the real bin/chargeledger.js with a
// temp HOME, and read-only commands create nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStation } from '../../src/adapters/store/station';
import { makeSession } from '../core/ledger/session-fixture';
import { runBin, tree } from './bin';

const identity = (id: string) => ({ gatewayId: 'CL', gatewaySerial: id, timeStatus: 'I' as const });

/** A station as `npm start` leaves it: <data>/<station id>/{ledger,keys}, one signed record. */
async function runningStation(dataDir: string, stationId: string): Promise<string> {
  const st = openStation({ dataDir, stationId, identity: identity(stationId) });
  const { record } = await st.store.append(makeSession(1, { stationId }));
  await st.store.close();
  return record.keyId;
}

describe('station data lookup (spawned CLI)', () => {
  let root: string;
  let home: string;
  let cwd: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'cl-datadir-'));
    home = path.join(root, 'home');
    cwd = path.join(root, 'cwd');
    mkdirSync(home);
    mkdirSync(cwd);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('keygen --show prints the key the station signs with, found through CHARGELEDGER_DATA_DIR; nothing lands in HOME', async () => {
    const data = path.join(root, 'data');
    const signing = await runningStation(data, 'station-1');
    const before = tree(data);
    const r = runBin(['keygen', '--show'], { home, cwd, env: { CHARGELEDGER_DATA_DIR: data } });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`key id: ${signing}\n`);
    expect(r.out).toContain(`key dir: ${path.join(data, 'station-1', 'keys')}`);
    expect(tree(home)).toEqual([]);
    expect(tree(data)).toEqual(before);
  });

  it('--data wins over CHARGELEDGER_DATA_DIR, which wins over ./data; CHARGELEDGER_STATION_ID picks the station', async () => {
    const a = await runningStation(path.join(root, 'a'), 'station-1');
    const b = await runningStation(path.join(root, 'b'), 'station-1');
    const c = await runningStation(path.join(cwd, 'data'), 'station-1');
    const env = { CHARGELEDGER_DATA_DIR: path.join(root, 'b') };
    expect(runBin(['keygen', '--show', '--data', path.join(root, 'a')], { home, cwd, env }).out).toContain(`key id: ${a}`);
    expect(runBin(['keygen', '--show'], { home, cwd, env }).out).toContain(`key id: ${b}`);
    expect(runBin(['keygen', '--show'], { home, cwd }).out).toContain(`key id: ${c}`);
    const two = await runningStation(path.join(root, 'a'), 'ST2');
    expect(runBin(['keygen', '--show', '--data', path.join(root, 'a')], { home, cwd }).code).toBe(2); // two stations, no id
    expect(runBin(['keygen', '--show', '--data', path.join(root, 'a')], { home, cwd, env: { CHARGELEDGER_STATION_ID: 'ST2' } }).out).toContain(`key id: ${two}`);
    expect(tree(home)).toEqual([]);
  });

  it('finds a station whose ledger node left Data dir empty (<userDir>/chargeledger = <data>/node-red/chargeledger under npm start)', async () => {
    const data = path.join(root, 'data');
    const signing = await runningStation(path.join(data, 'node-red', 'chargeledger'), 'station-1');
    const r = runBin(['keygen', '--show'], { home, cwd, env: { CHARGELEDGER_DATA_DIR: data } });
    expect(r.out).toContain(`key id: ${signing}\n`);
    expect(runBin(['sessions'], { home, cwd, env: { CHARGELEDGER_DATA_DIR: data } }).out).toContain('"seq":1');
  });

  it('keygen --show where no key exists says so, exits 1 and creates nothing', () => {
    const data = path.join(root, 'empty');
    mkdirSync(data);
    const r = runBin(['keygen', '--show'], { home, cwd, env: { CHARGELEDGER_DATA_DIR: data } });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`no signing key in ${path.join(data, 'station-1', 'keys').replace(/[/\\]/g, '.')}`));
    expect(r.out).toBe('');
    expect(tree(data)).toEqual([]);
    expect(tree(home)).toEqual([]);
    expect(tree(cwd)).toEqual([]);
  });

  it('keygen without --show creates the key where the station will sign with it (<data>/<station id>/keys)', () => {
    const data = path.join(root, 'fresh');
    const r = runBin(['keygen'], { home, cwd, env: { CHARGELEDGER_DATA_DIR: data, CHARGELEDGER_STATION_ID: 'ST9' } });
    expect(r.code).toBe(0);
    const keyId = /created key ([0-9a-f]{16}) in (.*)\n/.exec(r.out)!;
    expect(keyId[2]).toBe(path.join(data, 'ST9', 'keys'));
    const st = openStation({ dataDir: data, stationId: 'ST9', identity: identity('ST9') });
    expect(st.keyId).toBe(keyId[1]);
    return st.store.close();
  });

  it('sessions, report and verify never create anything where there is no station', () => {
    const data = path.join(root, 'nothing');
    mkdirSync(data);
    const env = { CHARGELEDGER_DATA_DIR: data };
    const key = path.join(root, 'k.pem');
    writeFileSync(key, 'x');
    for (const argv of [['sessions'], ['sessions', '--format', 'csv'], ['report'], ['verify', '--chain', data], ['keygen', '--show']]) {
      const r = runBin(argv, { home, cwd, env });
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err, argv.join(' ')).not.toBe('');
    }
    // And with no data dir at all (the ./data default does not exist).
    for (const argv of [['sessions'], ['report'], ['keygen', '--show']]) expect(runBin(argv, { home, cwd }).code, argv.join(' ')).toBe(1);
    expect(tree(data)).toEqual([]);
    expect(tree(cwd)).toEqual([]);
    expect(tree(home)).toEqual([]);
  });
});
