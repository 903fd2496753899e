// `chargeledger simulate` as its own process: SIGKILLed, it comes back with its registers.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { waitFor } from '../helpers/ports';

const BIN = path.join(__dirname, '..', '..', 'bin', 'chargeledger.js');
const ARGS = ['--connectors', '1', '--interval-ms', '200', '--arrival-gap-ms', '0', '--ramp-delay-ms', '0', '--session-wh', '100000', '--phases', '3'];

function start(args: string[]): Promise<{ child: ChildProcess; meterPort: number }> {
  const child = spawn(process.execPath, [BIN, 'simulate', ...ARGS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    readline.createInterface({ input: child.stdout! }).once('line', (l) => resolve({ child, meterPort: JSON.parse(l).meterPort }));
  });
}

/** The CP1-1 import register of the first telegram on the meter port, Wh. */
function firstRegisterWh(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const s = connect(port, '127.0.0.1');
    s.setEncoding('utf8');
    s.on('error', reject);
    s.on('data', (d: string) => {
      buf += d;
      const m = /0-0:96\.1\.1\(4350312D31\)[\s\S]*?1-0:1\.8\.0\((\d+\.\d{3})\*kWh\)/.exec(buf);
      if (m) {
        s.destroy();
        resolve(Math.round(Number(m[1]) * 1000));
      }
    });
  });
}

describe('chargeledger simulate --state', () => {
  let child: ChildProcess | undefined;
  let dir = '';
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('goes on from the saved registers after a SIGKILL, as a meter does after a power cut', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cl-sim-cli-'));
    const state = path.join(dir, 'state.json');
    const first = await start(['--state', state]);
    child = first.child;
    const initialWh = await firstRegisterWh(first.meterPort);
    const savedWh = () => Math.floor(JSON.parse(readFileSync(state, 'utf8')).connectors[0].registerMilliWh / 1000);
    await waitFor(() => savedWh() >= initialWh + 5, 20000, 50);
    const gone = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await gone;
    const atKillWh = savedWh();

    const second = await start(['--state', state]);
    child = second.child;
    expect(await firstRegisterWh(second.meterPort)).toBeGreaterThanOrEqual(atKillWh);
  });

  it('on SIGUSR2 lets the EV present finish and leave, then says it is empty', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cl-sim-cli-'));
    const truth = path.join(dir, 'truth.jsonl');
    child = spawn(process.execPath, [BIN, 'simulate', '--connectors', '1', '--interval-ms', '200', '--arrival-gap-ms', '0', '--session-wh', '3', '--phases', '3', '--truth', truth], { stdio: ['ignore', 'pipe', 'pipe'] });
    const said: any[] = [];
    readline.createInterface({ input: child.stdout! }).on('line', (l) => said.push(JSON.parse(l)));
    const ready = await waitFor(() => said[0], 10000);
    let events = '';
    const control = connect(ready.controlPort, '127.0.0.1');
    control.setEncoding('utf8');
    control.on('data', (d: string) => (events += d));
    try {
      await waitFor(() => events.includes('"event":"start"'), 10000);
      child.kill('SIGUSR2');
      await waitFor(() => said.some((m) => m.empty), 20000);
      expect(said.slice(1)).toEqual([{ closed: true }, { empty: true }]);
      expect(events.match(/"event":"plug"/g)).toHaveLength(1);
      const lines = readFileSync(truth, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toEqual([expect.objectContaining({ connectorId: '1', visit: 1, end: 'unplug' })]);
    } finally {
      control.destroy();
    }
  });

  it('refuses a broken state file with exit 1 and leaves it as it is', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cl-sim-cli-'));
    const state = path.join(dir, 'state.json');
    writeFileSync(state, '{"version":2}');
    const r = spawnSync(process.execPath, [BIN, 'simulate', '--state', state], { encoding: 'utf8', timeout: 10000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not a simulator state/);
    expect(readFileSync(state, 'utf8')).toBe('{"version":2}');
  });
});
