// `chargeledger read` run as the real CLI against a socat pty and a TCP gateway.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dsmrTelegram } from '../helpers/dsmr-telegram';
import { freePort } from '../helpers/ports';
import { needBinary } from '../helpers/realdeps';
import { PtyPair } from '../helpers/socat';
import { runOnPty, tableCells } from './pty';

const BIN = path.resolve(__dirname, '../../bin/chargeledger.js');
const stops: Array<() => unknown> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const kill = () => child.kill('SIGKILL');
    stops.push(kill);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function every(ms: number, fn: (i: number) => void): void {
  let i = 0;
  const t = setInterval(() => fn(i++), ms);
  stops.push(() => clearInterval(t));
}

describe.runIf(needBinary('socat'))('chargeledger read on a pty', () => {
  it('prints live readings as JSON lines and stops after --count', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cl-read-'));
    const pty = new PtyPair(path.join(dir, 'meter'), path.join(dir, 'host'));
    stops.push(() => pty.stop());
    await pty.start();
    const run = cli(['read', '--port', pty.hostPath, '--profile', 'simulator', '--count', '2']);
    every(100, (i) => pty.write(dsmrTelegram({ meterId: 'CP1-1', importWh: 5000 + i, powerW: 7400 })));
    const { code, stdout, stderr } = await run;
    expect(stderr).toContain(`reading ${pty.hostPath} with profile simulator`);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ meterId: 'CP1-1', powerW: 7400, frequencyHz: 50 });
    expect(lines[1].seq).toBe(lines[0].seq + 1);
    expect(Number.isInteger(lines[0].energyImportWh)).toBe(true);
  });

  it('prints an aligned table when its standard output is a terminal, JSON with --json', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cl-read-'));
    const pty = new PtyPair(path.join(dir, 'meter'), path.join(dir, 'host'));
    stops.push(() => pty.stop());
    await pty.start();
    const onSpawn = (kill: () => void) => stops.push(kill);
    // Values of different widths (999.995 kWh, then 1000.000 kWh): the columns must still line up.
    every(100, (i) => pty.write(dsmrTelegram({ meterId: 'CP1-1', importWh: 999_995 + i, exportWh: i % 2 ? 250 : 0, powerW: [0, 7400, 11_040, 22][i % 4] })));
    const r = await runOnPty(['read', '--port', pty.hostPath, '--profile', 'simulator', '--count', '4'], { onSpawn });
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    const rows = tableCells(lines);
    // Every row has the same column starts: the blank stripes between them split all lines into 9 cells.
    expect(rows.every((c) => c.length === 9)).toBe(true);
    expect(rows[0]).toEqual(['time (UTC)', 'meter', 'seq', 'import kWh', 'export kWh', 'power W', 'voltage V L1 L2 L3', 'current A L1 L2 L3', 'Hz']);
    for (const row of rows.slice(1)) {
      expect(row[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(row[1]).toBe('CP1-1');
      expect(row[3]).toMatch(/^\d+\.\d{3}$/);
      expect(['0.000', '0.250']).toContain(row[4]);
      expect(row[8]).toBe('50');
    }
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(120);
    const json = await runOnPty(['read', '--port', pty.hostPath, '--profile', 'simulator', '--count', '1', '--json'], { onSpawn });
    expect(JSON.parse(json.out)).toMatchObject({ meterId: 'CP1-1', frequencyHz: 50 });
  });

  it('gives up after --timeout when only corrupt telegrams arrive, naming the rejections', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cl-read-'));
    const pty = new PtyPair(path.join(dir, 'meter'), path.join(dir, 'host'));
    stops.push(() => pty.stop());
    await pty.start();
    const run = cli(['read', '--port', pty.hostPath, '--profile', 'simulator', '--timeout', '1']);
    every(100, (i) => pty.write(dsmrTelegram({ meterId: 'CP1-1', importWh: 5000 + i }).replace('(50.00*Hz)', '(51.00*Hz)')));
    const { code, stdout, stderr } = await run;
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/no valid reading within 1 s \(rejected: \d+ bad_checksum\)/);
  });
});

describe('chargeledger read', () => {
  it('exits 1 with a clear message when the port cannot be opened', async () => {
    const missing = path.join(mkdtempSync(path.join(tmpdir(), 'cl-read-')), 'ttyUSB9');
    const { code, stderr } = await cli(['read', '--port', missing, '--profile', 'generic-dsmr']);
    expect(code).toBe(1);
    expect(stderr).toContain(`cannot open ${missing}`);
    expect(stderr).toMatch(/serial ports found|no serial ports found/);
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli(['read', '--profile', 'simulator'])).code).toBe(2);
    expect((await cli(['read', '--port', '/dev/ttyUSB0'])).code).toBe(2);
    const unknown = await cli(['read', '--port', '/dev/ttyUSB0', '--profile', 'no-such-meter']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown meter profile "no-such-meter"/);
    expect((await cli(['read', '--port', '/dev/ttyUSB0', '--profile', 'simulator', '--count', 'x'])).code).toBe(2);
    expect((await cli(['read', '--port', 'tcp://nohost', '--profile', 'simulator'])).code).toBe(2);
    expect((await cli(['read', '--port', '/dev/ttyUSB0', '--profile', 'simulator', '--bogus'])).code).toBe(2);
  });

  it('reads from a serial-over-TCP gateway', async () => {
    const port = await freePort();
    const sockets = new Set<Socket>();
    const srv = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', () => r()));
    stops.push(() => new Promise((r) => srv.close(r)));
    stops.push(() => sockets.forEach((s) => s.destroy()));
    every(100, (i) => sockets.forEach((s) => s.write(dsmrTelegram({ meterId: 'SITE', importWh: 9000 + i, powerW: 22000 }))));
    const { code, stdout } = await cli(['read', '--port', `tcp://127.0.0.1:${port}`, '--profile', 'simulator', '--count', '1']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ meterId: 'SITE', powerW: 22000 });
  });

  it('fails clearly when nothing listens on the gateway port', async () => {
    const port = await freePort();
    const { code, stderr } = await cli(['read', '--port', `tcp://127.0.0.1:${port}`, '--profile', 'simulator']);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`cannot open tcp://127.0.0.1:${port}: .*ECONNREFUSED`));
  });
});
