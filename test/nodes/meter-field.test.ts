// The meter node with telegrams as real meters send them (unusual headers, gateway trailers,
// corrupt input), fed through a real socat pseudo-terminal pair.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { dsmrTelegram } from '../helpers/dsmr-telegram';
import { nodeRed } from '../helpers/nodered';
import { waitFor } from '../helpers/ports';
import { needBinary } from '../helpers/realdeps';
import type { PtyPair } from '../helpers/socat';
import { fastSettings, meterFlow, meterModules, newPty, recordMsgs, recordStatus, waitForItem } from './meter-support';

const stops: Array<() => unknown> = [];
beforeEach(() => fastSettings());
afterEach(async () => {
  await nodeRed.unload();
  while (stops.length) await stops.pop()!();
});

const dsmrFixture = (name: string) => readFileSync(path.join(__dirname, '../fixtures/dsmr', name), 'latin1');

/**
 * Write `bytes` of noise without a single line end into the meter side, waiting out a full pty
 * buffer instead of dropping bytes (PtyPair.write drops, as a real line would).
 */
async function pushNoise(pty: PtyPair, bytes: number): Promise<void> {
  const fd = openSync(pty.meterPath, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  try {
    const chunk = Buffer.alloc(16384);
    for (let i = 0; i < chunk.length; i++) chunk[i] = 0x80 | ((i * 37) & 0x7f); // never 0x0a
    let left = bytes;
    let off = 0;
    while (left > 0) {
      try {
        const n = writeSync(fd, chunk, off, Math.min(chunk.length - off, left));
        left -= n;
        off = (off + n) % chunk.length;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        await new Promise((r) => setTimeout(r, 2));
      }
    }
  } finally {
    closeSync(fd);
  }
}

async function started(): Promise<PtyPair> {
  const pty = newPty();
  stops.push(() => pty.stop());
  await pty.start();
  return pty;
}

describe.runIf(needBinary('socat'))('chargeledger-meter with field telegrams over a real pty', () => {
  it('reads an Iskra telegram whose header carries a raw STX, without a rejection', async () => {
    const pty = await started();
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath, { profile: 'generic-dsmr' }));
    const readings = recordMsgs('readings');
    const health = recordMsgs('health');
    const status = recordStatus('meter');
    await waitForItem(status, (s) => s.text === 'waiting for data');
    pty.write(dsmrFixture('telegram_v5_iskra_stx.txt'));
    const r = await waitForItem(readings, () => true);
    expect(r).toMatchObject({ topic: 'K8EG004046395507', payload: { energyImportWh: 6825, energyExportWh: 2444 } });
    await waitForItem(status, (s) => s.fill === 'green');
    expect(health.map((m) => `${m.topic}:${m.payload.state}`)).toEqual(['K8EG004046395507:ok']);
    expect(health[0].payload.errors).toEqual({});
  });

  it('reads a meter behind a gateway that appends a trailer after every "!", never turning corrupt', async () => {
    const pty = await started();
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath, { profile: 'generic-dsmr' }));
    const readings = recordMsgs('readings');
    const health = recordMsgs('health');
    const status = recordStatus('meter');
    await waitForItem(status, (s) => s.text === 'waiting for data');
    // The EasyMeter behind its COM-1 Ethernet gateway: no CRC, two trailer lines after "!"; it
    // names no 0-0:96.1.1, so the reading goes under the profile name. The trailers of the first
    // two telegrams are read before the third reading.
    const esy = dsmrFixture('telegram_esy5q3da1004_v304.txt');
    for (const kwh of ['00032549.5061662', '00032549.6061662', '00032549.7061662']) pty.write(esy.replace('00032549.5061662', kwh));
    await waitForItem(readings, (m) => m.payload.energyImportWh === 32549706);
    expect(readings.map((m) => m.payload.energyImportWh)).toEqual([32549506, 32549606, 32549706]);
    expect(health.map((m) => `${m.topic}:${m.payload.state}`)).toEqual(['generic-dsmr:ok']);
    expect(health[0].payload.errors).toEqual({});
    expect(status.some((s) => s.fill === 'red')).toBe(false);
  });

  it('wrong-CRC telegrams from the start show the configured meter corrupt, with counts, in health and status', async () => {
    const pty = await started();
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath, { meterId: 'CP1-1' }));
    const readings = recordMsgs('readings');
    const health = recordMsgs('health');
    const status = recordStatus('meter');
    await waitForItem(status, (s) => s.text === 'waiting for data');
    const bad = (wh: number) => dsmrTelegram({ meterId: 'CP1-1', importWh: wh, powerW: 2000 }).replace(/!([0-9A-F]{4})/, (_m, crc: string) => `!${crc === '0000' ? '0001' : '0000'}`);
    pty.write(bad(1000));
    const c = await waitForItem(health, (m) => m.payload.state === 'corrupt');
    expect(c).toMatchObject({ topic: 'CP1-1', payload: { meterId: 'CP1-1', errors: { bad_checksum: 1 } } });
    await waitForItem(status, (s) => s.fill === 'red' && (s.text ?? '').startsWith('corrupt: bad'));
    pty.write(dsmrTelegram({ meterId: 'CP1-1', importWh: 1001, powerW: 2000 }));
    await waitForItem(health, (m) => m.payload.state === 'ok');
    pty.write(bad(1002));
    const again = await waitForItem(health, (m) => m.payload.state === 'corrupt' && m !== c);
    expect(again.payload.errors).toEqual({ bad_checksum: 2 });
    expect(readings.map((m) => m.payload.energyImportWh)).toEqual([1001]);
    expect(health.some((m) => m.payload.state === 'stale')).toBe(false);
  });

  it('noise without line ends (wrong baud rate) shows corrupt with a garbage count, not stale', async () => {
    const pty = await started();
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath, { meterId: 'CP1-1' }));
    const health = recordMsgs('health');
    const status = recordStatus('meter');
    await waitForItem(status, (s) => s.text === 'waiting for data');
    await pushNoise(pty, 3 * 65536 + 100);
    const c = await waitForItem(health, (m) => m.payload.state === 'corrupt');
    expect(c).toMatchObject({ topic: 'CP1-1', payload: { errors: { garbage: 1 } } });
    await waitForItem(status, (s) => s.fill === 'red' && s.text === 'corrupt: garbage');
  });

  it('a few MB without a newline log one warning for the port, not one per 64 KiB', async () => {
    const pty = await started();
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath, { meterId: 'CP1-1' }));
    const readings = recordMsgs('readings');
    const status = recordStatus('meter');
    await waitForItem(status, (s) => s.text === 'waiting for data');
    const mb = 4;
    await pushNoise(pty, mb * 1024 * 1024);
    // A line end and a good telegram after the noise: once it is read, all the noise was.
    pty.write(`\r\n${dsmrTelegram({ meterId: 'CP1-1', importWh: 1, powerW: 0 })}`);
    const r = await waitForItem(readings, () => true, 30_000);
    expect(r.payload.seq).toBe(1);
    const warnings = nodeRed.log().args.map(([e]) => String(e.msg)).filter((m) => m.includes('line_too_long'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^meter port .*: line_too_long: more than 65536 bytes without a line end$/);
  });

  it('the warnings held back are told as a count once the window is over', async () => {
    nodeRed.settings({ chargeledgerMeterBackoff: { initialMs: 50, maxMs: 400, jitter: 0.2 }, chargeledgerMeterPortLingerMs: 0, chargeledgerMeterProblemLogMs: 300 });
    const pty = await started();
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath, { meterId: 'CP1-1' }));
    const status = recordStatus('meter');
    await waitForItem(status, (s) => s.text === 'waiting for data');
    await pushNoise(pty, 10 * 65536 + 1);
    const lines = () => nodeRed.log().args.map(([e]) => String(e.msg)).filter((m) => m.includes('line_too_long'));
    const summary = await waitFor(() => lines().find((m) => /more like it in the last \d+ s\)$/.test(m)));
    const held = Number(/\((\d+) more like it/.exec(summary)![1]);
    expect(held).toBeGreaterThan(0);
    expect(lines().length).toBeLessThan(held);
  });
});
