// Two `chargeledger receive --share` processes on a real mosquitto: without --client-id they do
// not throw each other off, and after one is killed (SIGKILL) the other takes every record once
// the dead member's short session has expired.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { startMosquitto, type TestBroker } from '../../helpers/brokers';
import { needBinary } from '../../helpers/realdeps';
import { waitFor } from '../../helpers/ports';
import { makeRecords, stationKey } from '../receiver/signed-records';
import { defaultReceiverClientId } from '../../../src/adapters/receiver/receiver';

const BIN = path.resolve(__dirname, '../../../bin/chargeledger.js');

describe.runIf(needBinary('mosquitto'))('receivers in a share group (real mosquitto, real processes)', () => {
  let broker: TestBroker;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(path.join(os.tmpdir(), 'cl-rxshare-'));
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function receiver(name: string, pubkey: string): { child: ChildProcess; stderr: () => string } {
    const child = spawn(process.execPath, [BIN, 'receive', '--broker', broker.url, '--share', 'backend', '--pubkey', pubkey, '--out', path.join(dir, name), '--session-expiry', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += String(d)));
    children.push(child);
    return { child, stderr: () => err };
  }
  const storedSeqs = (name: string): number[] => {
    const f = path.join(dir, name, 'ST-1.jsonl');
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).seq as number) : [];
  };

  it('gives each receiver its own client id, and the survivor takes every record after a SIGKILL', async () => {
    const key = stationKey();
    const pub = path.join(dir, 'station.pem');
    writeFileSync(pub, key.publicPem);
    const records = makeRecords('ST-1', key, 1, 80);
    const a = receiver('a', pub);
    const b = receiver('b', pub);
    await waitFor(() => /subscribed/.test(a.stderr()) && /subscribed/.test(b.stderr()), 10_000);

    const station = await mqtt.connectAsync(broker.url, { clientId: 'ST-1' });
    for (const r of records.slice(0, 20)) await station.publishAsync('chargeledger/ST-1/sessions', JSON.stringify(r), { qos: 1 });
    await waitFor(() => storedSeqs('a').length + storedSeqs('b').length === 20, 10_000);
    // Both took a share: with one client id they would have thrown each other off instead.
    expect(storedSeqs('a').length).toBeGreaterThan(0);
    expect(storedSeqs('b').length).toBeGreaterThan(0);
    expect(a.stderr() + b.stderr()).not.toMatch(/Session taken over|connection (lost|closed)/i);

    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));
    const storedByA = storedSeqs('a').length;
    // The dead member's session expires after 2 s; records published after that all reach b.
    await new Promise((r) => setTimeout(r, 3000));
    for (const r of records.slice(20)) await station.publishAsync('chargeledger/ST-1/sessions', JSON.stringify(r), { qos: 1 });
    await waitFor(() => storedSeqs('b').filter((s) => s > 20).length === 60, 15_000);
    expect(storedSeqs('a').length).toBe(storedByA);
    await station.endAsync();
  });

  it('makes a different default client id for every receiver, even in one group on one host', () => {
    const ids = new Set(Array.from({ length: 50 }, () => defaultReceiverClientId('backend')));
    expect(ids.size).toBe(50);
    expect([...ids][0]).toMatch(/^chargeledger-receiver-backend-/);
  });
});
