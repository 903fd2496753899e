// `chargeledger receive` as a real process against a real broker.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { startAedes, startMosquitto, type TestBroker } from '../helpers/brokers';
import { needBinary } from '../helpers/realdeps';
import { waitFor } from '../helpers/ports';
import { makeRecords, stationKey } from '../adapters/receiver/signed-records';

const BIN = path.join(__dirname, '..', '..', 'bin', 'chargeledger.js');
const key = stationKey();
const other = stationKey();

function cli(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'receive', ...args], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('chargeledger receive: arguments', () => {
  it('usage errors exit 2 with the reason', () => {
    expect(cli([])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--broker is required/) });
    expect(cli(['--broker', 'http://x', '--pubkey', 'k', '--out', 'o'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/mqtt:\/\//) });
    expect(cli(['--broker', 'mqtt://x', '--pubkey', 'k', '--out', 'o', '--share', 'a/b'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/share group/) });
    expect(cli(['--broker', 'mqtt://x', '--bogus'])).toMatchObject({ status: 2 });
  });
  it('an unreadable or invalid key exits 1', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cl-cli-'));
    try {
      writeFileSync(path.join(dir, 'bad.pem'), 'not a key');
      expect(cli(['--broker', 'mqtt://127.0.0.1:1', '--pubkey', path.join(dir, 'bad.pem'), '--out', dir])).toMatchObject({ status: 1, stderr: expect.stringMatching(/bad\.pem: not a public key/) });
      expect(cli(['--broker', 'mqtt://127.0.0.1:1', '--pubkey', path.join(dir, 'missing.pem'), '--out', dir])).toMatchObject({ status: 1, stderr: expect.stringMatching(/ENOENT/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const brokers: Array<[string, () => Promise<TestBroker>, string[]]> = [['aedes', startAedes, []]];
if (needBinary('mosquitto')) brokers.push(['mosquitto', () => startMosquitto(), ['--share', 'backend']]);

describe.each(brokers)('chargeledger receive over %s', (_kind, startBroker, extra) => {
  let broker: TestBroker;
  let dir: string;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker.close();
  });
  afterEach(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores, acks, reports duplicates and bad signatures, and exits 0 on SIGTERM', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cl-cli-'));
    mkdirSync(path.join(dir, 'keys'));
    writeFileSync(path.join(dir, 'keys', 'st1.pem'), key.publicPem);
    const out = path.join(dir, 'out');
    child = spawn(process.execPath, [BIN, 'receive', '--broker', broker.url, '--pubkey', path.join(dir, 'keys'), '--out', out, '--client-id', `rx-cli-${Math.random()}`, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += String(d)));
    child.stderr!.on('data', (d) => (stderr += String(d)));
    await waitFor(() => /subscribed to/.test(stderr), 10_000);

    const backend = await mqtt.connectAsync(broker.url);
    const acks: string[] = [];
    backend.on('message', (_t, p) => acks.push(...JSON.parse(p.toString()).ack));
    await backend.subscribeAsync('chargeledger/ST-1/acks', { qos: 1 });
    const [r1, r2] = makeRecords('ST-1', key, 1, 2);
    const forged = makeRecords('ST-1', other, 3, 3, r2!.hash)[0]!;
    for (const r of [r1, r2, r2, forged]) await backend.publishAsync('chargeledger/ST-1/sessions', JSON.stringify(r), { qos: 1 });
    await waitFor(() => acks.length === 4, 10_000);
    await backend.endAsync();
    expect(acks).toEqual([r1!.id, r2!.id, r2!.id, forged.id]);

    const lines = (f: string) => readFileSync(path.join(out, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines('ST-1.jsonl').map((r) => r.seq)).toEqual([1, 2]);
    expect(lines('ST-1.jsonl')[0]).toEqual(r1);
    expect(lines('ST-1.rejected.jsonl').map((r) => r.id)).toEqual([forged.id]);
    const reports = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(reports).toEqual([
      { type: 'duplicate', stationId: 'ST-1', id: r2!.id, seq: 2 },
      { type: 'rejected', stationId: 'ST-1', id: forged.id, seq: 3, message: expect.stringMatching(/unknown-key/) },
    ]);

    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/"stored":2,"duplicates":1,"rejected":1/);
  });
});
