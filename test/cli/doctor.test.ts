import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { openStation } from '../../src/adapters/store/station';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';

function io() {
  let out = '';
  let err = '';
  return { io: { stdout: (t: string) => (out += t), stderr: (t: string) => (err += t), stdin: process.stdin }, out: () => out, err: () => err };
}

describe('chargeledger doctor', () => {
  it('passes with a reachable tcp meter gateway and broker, and names each check', async () => {
    const srv = createServer((s) => s.end());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as { port: number }).port;
    const data = mkdtempSync(path.join(tmpdir(), 'doctor-'));
    const c = io();
    const code = await main(['doctor', '--data', data, '--meter', `tcp://127.0.0.1:${port}`, '--broker', `mqtt://127.0.0.1:${port}`, '--json'], c.io);
    srv.close();
    const checks = JSON.parse(c.out()) as Array<{ name: string; status: string }>;
    expect(code).toBe(0);
    expect(checks.map((x) => x.name)).toEqual(['node', 'data dir', 'keys', 'ports', 'meter', 'broker']);
    expect(checks.find((x) => x.name === 'keys')!.status).toBe('warn');
  });

  it('names the key the station signs with, found like keygen finds it, and creates no data dir', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'doctor-'));
    const st = openStation({ dataDir: data, stationId: 'station-1', identity: { gatewayId: 'CL', gatewaySerial: 'station-1', timeStatus: 'I' } });
    await st.store.close();
    const c = io();
    await main(['doctor', '--data', data, '--json'], c.io);
    const keys = (JSON.parse(c.out()) as Array<{ name: string; status: string; detail: string }>).find((x) => x.name === 'keys')!;
    expect(keys).toMatchObject({ status: 'ok', detail: `signing key ${st.keyId} in ${path.join(data, 'station-1', 'keys')}` });
    const missing = path.join(data, 'not-yet');
    const m = io();
    await main(['doctor', '--data', missing, '--json'], m.io);
    expect((JSON.parse(m.out()) as Array<{ name: string; status: string }>).find((x) => x.name === 'data dir')!.status).toBe('warn');
    expect(existsSync(missing)).toBe(false);
    rmSync(data, { recursive: true, force: true });
  });

  it('fails (exit 1) with a hint when the meter device is missing', async () => {
    const c = io();
    const code = await main(['doctor', '--data', mkdtempSync(path.join(tmpdir(), 'doctor-')), '--meter', '/dev/ttyUSB-missing', '--broker', 'mqtt://127.0.0.1:1'], c.io);
    expect(code).toBe(1);
    expect(c.out()).toMatch(/fail\s+meter\s+\/dev\/ttyUSB-missing: ENOENT \(is the USB adapter plugged in/);
    expect(c.out()).toMatch(/fail\s+broker/);
  });

  it('rejects unknown options with exit 2', async () => {
    const c = io();
    expect(await main(['doctor', '--nope'], c.io)).toBe(2);
    expect(c.err()).toMatch(/Unknown option '--nope'/);
  });
});

describe('chargeledger dispatcher', () => {
  it('exits 2 with the command list on an unknown command or none', async () => {
    const c = io();
    expect(await main(['frobnicate'], c.io)).toBe(2);
    expect(c.err()).toMatch(/unknown command "frobnicate"/);
    expect(await main([], c.io)).toBe(2);
    expect(c.out()).toMatch(/Usage: chargeledger <command>/);
  });
});
