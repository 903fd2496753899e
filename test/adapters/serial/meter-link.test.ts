import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAddress, DEFAULT_SERIAL } from '../../../src/adapters/serial/address';
import { MeterLink, type LinkState, type MeterLinkOptions } from '../../../src/adapters/serial/meter-link';
import { IEC_INITIAL } from '../../../src/adapters/serial/iec-mode-c';
import { PtyPair } from '../../helpers/socat';
import { freePort, waitFor } from '../../helpers/ports';
import { needBinary } from '../../helpers/realdeps';
import { fakeGateway } from '../../helpers/gateway';

const FAST = { initialMs: 50, maxMs: 300, jitter: 0.2 };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function link(address: string, extra: Partial<MeterLinkOptions> = {}) {
  const l = new MeterLink({ address: parseAddress(address), serial: DEFAULT_SERIAL, mode: 'push', backoff: FAST, ...extra });
  const lines: string[] = [];
  const states: LinkState[] = [];
  const problems: string[] = [];
  l.on('line', (x: string) => lines.push(x));
  l.on('state', (s: LinkState) => states.push(s));
  l.on('problem', (r: string) => problems.push(r));
  cleanups.push(() => l.close());
  return { l, lines, states, problems };
}

function ptyPair() {
  const dir = mkdtempSync(path.join(tmpdir(), 'cl-pty-'));
  const pair = new PtyPair(path.join(dir, 'meter'), path.join(dir, 'host'));
  cleanups.push(() => pair.stop());
  return pair;
}

describe.runIf(needBinary('socat'))('MeterLink over a real pty', () => {
  it('delivers lines split by the readline parser, including CR', async () => {
    const pair = ptyPair();
    await pair.start();
    const { l, lines } = link(pair.hostPath);
    await l.open();
    pair.write('/ABC5\r\n1-0:1.8.0(000001.000*kWh)\r');
    pair.write('\n!1234\r\n');
    await waitFor(() => lines.length === 3);
    expect(lines).toEqual(['/ABC5\r', '1-0:1.8.0(000001.000*kWh)\r', '!1234\r']);
  });

  it('survives an unplug and a replug on the same path', async () => {
    const pair = ptyPair();
    await pair.start();
    const { l, lines, states } = link(pair.hostPath);
    await l.open();
    expect(l.isConnected).toBe(true);
    await pair.stop();
    await waitFor(() => states.length === 2);
    expect(states[1].connected).toBe(false);
    expect(states[1].error).toBeInstanceOf(Error);
    // Stay unplugged across several retries: still one disconnection reported.
    await new Promise((r) => setTimeout(r, 400));
    expect(states).toHaveLength(2);
    await pair.start();
    await waitFor(() => l.isConnected, 5000);
    pair.write('after replug\n');
    await waitFor(() => lines.includes('after replug'));
    expect(states.map((s) => s.connected)).toEqual([true, false, true]);
  });

  it('rejects open() for a missing device with the path in the message, then connects when it appears', async () => {
    const pair = ptyPair();
    const { l, states } = link(pair.hostPath);
    await expect(l.open()).rejects.toThrow(new RegExp(`cannot open ${pair.hostPath}`));
    expect(states).toEqual([{ connected: false, error: expect.any(Error) }]);
    await pair.start();
    await waitFor(() => l.isConnected, 5000);
  });

  it('polls with the request every interval', async () => {
    const pair = ptyPair();
    await pair.start();
    const meter = new SerialPort({ path: pair.meterPath, baudRate: 9600 });
    cleanups.push(() => new Promise<void>((r) => (meter.isOpen ? meter.close(() => r()) : r())));
    let got = '';
    meter.on('data', (d: Buffer) => (got += d.toString('latin1')));
    const { l } = link(pair.hostPath, { mode: 'poll', pollIntervalMs: 150, request: 'GET\r\n' });
    await l.open();
    await waitFor(() => got.split('GET\r\n').length - 1 >= 3, 5000);
  });

  it('signs on in IEC 62056-21 mode C, acknowledges the offered baud rate and switches to it', async () => {
    const pair = ptyPair();
    await pair.start();
    const meter = new SerialPort({ path: pair.meterPath, ...IEC_INITIAL });
    cleanups.push(() => new Promise<void>((r) => (meter.isOpen ? meter.close(() => r()) : r())));
    let rx = '';
    meter.on('data', (d: Buffer) => {
      rx += d.toString('latin1');
      if (rx.endsWith('/?!\r\n')) meter.write('/LGZ5ZMD3104407.B32\r\n');
      if (rx.endsWith('\x06050\r\n')) meter.write('\x021.8.0(000123.456*kWh)\r\n!\r\n\x03\x00');
    });
    const handshakes: Array<{ ident: string; baudRate: number }> = [];
    const { l, lines } = link(pair.hostPath, { serial: { ...IEC_INITIAL }, mode: 'poll', pollIntervalMs: 60_000, handshake: 'iec-mode-c' });
    l.on('handshake', (h) => handshakes.push(h));
    await l.open();
    await waitFor(() => handshakes.length === 1, 5000);
    expect(rx).toBe('/?!\r\n\x06050\r\n');
    expect(handshakes[0]).toEqual({ ident: '/LGZ5ZMD3104407.B32', baudRate: 9600 });
    expect(l.baudRate).toBe(9600);
    await waitFor(() => lines.some((x) => x.startsWith('!')));
    expect(lines[0]).toBe('/LGZ5ZMD3104407.B32\r');
    expect(lines).toContain('\x021.8.0(000123.456*kWh)\r');
  });

  it('drops a runaway line of noise and carries on', async () => {
    const pair = ptyPair();
    await pair.start();
    const { l, lines, problems } = link(pair.hostPath, { maxLineBytes: 4096 });
    await l.open();
    pair.write(Buffer.alloc(10_000, 0x55));
    await waitFor(() => problems.includes('line_too_long'));
    pair.write('\nok line\n');
    await waitFor(() => lines.includes('ok line'));
  });
});

describe('MeterLink over a TCP gateway', () => {
  function gateway(port: number) {
    const gw = fakeGateway(port);
    cleanups.push(gw.stop);
    return gw;
  }

  it('reads lines and reconnects after the gateway reboots on the same port', async () => {
    const port = await freePort();
    let gw = gateway(port);
    await gw.ready;
    const { l, lines, states } = link(`tcp://127.0.0.1:${port}`);
    await l.open();
    await waitFor(() => gw.sockets.size === 1);
    gw.send('one\r\n');
    await waitFor(() => lines.includes('one\r'));
    await gw.stop();
    await waitFor(() => states.length === 2);
    expect(states[1]).toMatchObject({ connected: false });
    gw = gateway(port);
    await gw.ready;
    await waitFor(() => l.isConnected && gw.sockets.size === 1, 5000);
    gw.send('two\r\n');
    await waitFor(() => lines.includes('two\r'));
  });

  it('fails open() clearly when nothing listens', async () => {
    const port = await freePort();
    const { l } = link(`tcp://127.0.0.1:${port}`);
    await expect(l.open()).rejects.toThrow(new RegExp(`cannot open tcp://127.0.0.1:${port}: .*ECONNREFUSED`));
  });

  it('reconnects a silent connection after the idle timeout (half-open gateway)', async () => {
    const port = await freePort();
    const gw = gateway(port);
    await gw.ready;
    const { l, problems } = link(`tcp://127.0.0.1:${port}`, { idleTimeoutMs: 200 });
    await l.open();
    await waitFor(() => problems.includes('idle_timeout'), 5000);
    await waitFor(() => l.isConnected, 5000);
  });
});
