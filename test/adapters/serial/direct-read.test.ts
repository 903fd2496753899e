import { pbkdf2 } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { directReadBinding } from '../../../src/adapters/serial/direct-read';
import { PtyPair } from '../../helpers/socat';
import { waitFor } from '../../helpers/ports';
import { needBinary } from '../../helpers/realdeps';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function pair(): Promise<PtyPair> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cl-direct-'));
  const p = new PtyPair(path.join(dir, 'meter'), path.join(dir, 'host'));
  cleanups.push(() => p.stop());
  await p.start();
  return p;
}

async function open(hostPath: string, direct: boolean): Promise<{ port: SerialPort; text: () => string }> {
  const port = new SerialPort({ path: hostPath, baudRate: 115200, autoOpen: false, ...(direct ? { binding: directReadBinding } : {}) });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('error', () => {});
  cleanups.push(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())));
  let got = '';
  port.on('data', (d: Buffer) => (got += d.toString('latin1')));
  return { port, text: () => got };
}

/**
 * Occupy every libuv thread-pool thread for about `ms`. Resolves once the jobs are queued, with
 * promises of the first thread coming free again and of all of them. Why pbkdf2: CPU work that libuv runs on the pool, so
 * the event loop stays free.
 */
async function occupyThreadPool(ms: number): Promise<{ free: Promise<void>; all: Promise<void> }> {
  const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  const run = (iterations: number) => new Promise<void>((resolve) => pbkdf2('x', 'y', iterations, 32, 'sha256', () => resolve()));
  // Calibrate on this machine: iterations that take about `ms` on one thread.
  const probe = 20000;
  const t0 = performance.now();
  await run(probe);
  const perMs = probe / Math.max(1, performance.now() - t0);
  const jobs = Array.from({ length: threads }, () => run(Math.ceil(perMs * ms)));
  await new Promise((r) => setTimeout(r, 50)); // the pool threads pick the jobs up
  return { free: Promise.race(jobs), all: Promise.all(jobs).then(() => undefined) };
}

describe.runIf(needBinary('socat'))('direct serial read', () => {
  it('delivers bytes while every thread-pool thread is busy', async () => {
    const p = await pair();
    const direct = await open(p.hostPath, true);

    let poolFree = false;
    const { free, all } = await occupyThreadPool(1500);
    const busy = free.then(() => (poolFree = true));
    p.write('1-0:1.8.0(000001.000*kWh)\r\n');
    await waitFor(() => direct.text().includes('\r\n'), 1000, 5);
    expect(poolFree).toBe(false);
    expect(direct.text()).toBe('1-0:1.8.0(000001.000*kWh)\r\n');
    await busy;
    await all;
  });

  it('serialport’s thread-pool read does wait for a busy pool (the control for the test above)', async () => {
    const p = await pair();
    const pooled = await open(p.hostPath, false);
    let poolFree = false;
    const { free, all } = await occupyThreadPool(800);
    const busy = free.then(() => (poolFree = true));
    p.write('hello\r\n');
    await waitFor(() => pooled.text().includes('\r\n'), 5000, 5);
    expect(poolFree).toBe(true);
    await busy;
    await all;
  });

  it('closes the port with an error when the line hangs up, instead of reading nothing forever', async () => {
    const p = await pair();
    const { port, text } = await open(p.hostPath, true);
    let closedWith: Error | null | undefined;
    port.on('close', (err: Error | null) => (closedWith = err));
    p.write('a\n');
    await waitFor(() => text() === 'a\n', 2000, 5);
    await p.stop();
    await waitFor(() => closedWith !== undefined, 3000, 10);
    expect(closedWith).toBeInstanceOf(Error);
    expect(port.isOpen).toBe(false);
  });
});
