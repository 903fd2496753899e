// A technician's Modbus check with the real CLI: `chargeledger simulate --modbus-device` serves
// the site meter as an SDM630 on one end of a socat pty, `chargeledger read --profile sdm630`
// polls it from the other.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/ports';
import { needBinary } from '../helpers/realdeps';
import { PtyPair } from '../helpers/socat';

const BIN = path.resolve(__dirname, '../../bin/chargeledger.js');
const stops: Array<() => unknown> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

function start(args: string[]): { child: ChildProcess; out: { stdout: string; stderr: string }; closed: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  stops.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await closed;
  });
  return { child, out, closed };
}

describe.runIf(needBinary('socat'))('Modbus RTU from the command line', () => {
  it('reads the simulated site meter as an SDM630 over a pty', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cl-modbus-cli-'));
    const pty = new PtyPair(path.join(dir, 'meter'), path.join(dir, 'host'));
    stops.push(() => pty.stop());
    await pty.start();
    const sim = start(['simulate', '--modbus-device', pty.meterPath, '--interval-ms', '200']);
    await waitFor(() => sim.out.stdout.includes('"ready":true'), 10000);
    const read = start(['read', '--port', pty.hostPath, '--profile', 'sdm630', '--interval', '1', '--count', '2', '--timeout', '10']);
    const code = await read.closed;
    expect(read.out.stderr).toContain(`reading ${pty.hostPath} with profile sdm630`);
    expect(code).toBe(0);
    const lines = read.out.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ meterId: 'sdm630-1', seq: 1, frequencyHz: 50 });
    expect(lines[1].seq).toBe(2);
    expect(Number.isInteger(lines[0].energyImportWh) && lines[0].energyImportWh > 0).toBe(true);
    expect(lines[1].energyImportWh).toBeGreaterThanOrEqual(lines[0].energyImportWh);
    expect(lines[0].currentA).toHaveLength(3);
  });
});
