// The meter node on the real Node-RED runtime, fed through a real socat pseudo-terminal pair.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeRed } from '../helpers/nodered';
import { needBinary } from '../helpers/realdeps';
import { dsmrTelegram } from '../helpers/dsmr-telegram';
import type { PtyPair } from '../helpers/socat';
import { fastSettings, meterFlow, meterModules, meterWriter, newPty, recordMsgs, recordStatus, waitForItem } from './meter-support';

const stops: Array<() => unknown> = [];
beforeEach(() => fastSettings());
afterEach(async () => {
  await nodeRed.unload();
  while (stops.length) await stops.pop()!();
});

async function started(): Promise<PtyPair> {
  const pty = newPty();
  stops.push(() => pty.stop());
  await pty.start();
  return pty;
}

describe.runIf(needBinary('socat'))('chargeledger-meter over a real pty', () => {
  it('emits each reading once in SI units, with health ok and a green status', async () => {
    const pty = await started();
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath));
    const readings = recordMsgs('readings');
    const health = recordMsgs('health');
    const status = recordStatus('meter');
    await waitForItem(status, (s) => s.text === 'waiting for data');
    pty.write(dsmrTelegram({ meterId: 'CP1-1', importWh: 123_456, exportWh: 7, powerW: 11_040 }));
    const r = await waitForItem(readings, () => true);
    expect(r).toMatchObject({
      kind: 'reading',
      topic: 'CP1-1',
      payload: { meterId: 'CP1-1', seq: 1, energyImportWh: 123_456, energyExportWh: 7, powerW: 11_040, voltageV: [230.1, 230.2, 230.3], currentA: [16, 16, 16], frequencyHz: 50 },
    });
    expect(typeof r.payload.timeMs).toBe('number');
    const h = await waitForItem(health, () => true);
    expect(h).toMatchObject({ kind: 'health', topic: 'CP1-1', payload: { meterId: 'CP1-1', state: 'ok', lastGoodAgeMs: 0 } });
    await waitForItem(status, (s) => s.fill === 'green' && s.text === 'ok 11.0 kW');
    pty.write(dsmrTelegram({ meterId: 'CP1-1', importWh: 123_457, exportWh: 7, powerW: 11_040 }));
    await waitForItem(readings, (m) => m.payload.seq === 2).catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(health.map((m) => m.payload))}`);
    });
    expect(readings).toHaveLength(2);
    expect(health).toHaveLength(1); // still ok: no new health message
  });

  it('passes on only the configured meter id from a bus of meters', async () => {
    const pty = await started();
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath, { meterId: 'CP1-2' }));
    const readings = recordMsgs('readings');
    const w = meterWriter((t) => pty.write(t), ['SITE', 'CP1-1', 'CP1-2']);
    stops.push(() => w.stop());
    await waitFor3(readings);
    expect(new Set(readings.map((m) => m.topic))).toEqual(new Set(['CP1-2']));
  });

  it('without a filter, reports health per meter of the bus: one going silent does not hide the others', async () => {
    const pty = await started();
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath, { staleTimeoutS: 0.5 }));
    const readings = recordMsgs('readings');
    const health = recordMsgs('health');
    const status = recordStatus('meter');
    const both = meterWriter((t) => pty.write(t), ['SITE', 'CP1-1'], 100);
    stops.push(() => both.stop());
    await waitForItem(health, (m) => m.topic === 'SITE' && m.payload.state === 'ok');
    await waitForItem(health, (m) => m.topic === 'CP1-1' && m.payload.state === 'ok');
    await waitForItem(status, (s) => s.text === 'ok 2 meters');
    both.stop();
    const site = meterWriter((t) => pty.write(t), ['SITE'], 100);
    stops.push(() => site.stop());
    const stale = await waitForItem(health, (m) => m.payload.state === 'stale');
    expect(stale.topic).toBe('CP1-1');
    await waitForItem(status, (s) => s.fill === 'yellow' && /^stale CP1-1 \ds$/.test(s.text ?? ''));
    const n = readings.length;
    await waitForItem(readings, () => readings.length > n + 3);
    expect(readings.slice(n).every((m) => m.topic === 'SITE')).toBe(true);
    expect(health.filter((m) => m.topic === 'SITE').map((m) => m.payload.state)).toEqual(['ok']);
  });

  it('counts a corrupt telegram, goes red, never passes it on, and recovers on the next good one', async () => {
    const pty = await started();
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath));
    const readings = recordMsgs('readings');
    const health = recordMsgs('health');
    const status = recordStatus('meter');
    await waitForItem(status, (s) => s.text === 'waiting for data');
    pty.write(dsmrTelegram({ meterId: 'CP1-1', importWh: 1000, powerW: 2000 }));
    await waitForItem(health, (m) => m.payload.state === 'ok');
    const bad = dsmrTelegram({ meterId: 'CP1-1', importWh: 1001, powerW: 2000 }).replace('1-0:1.8.0(000001.001', '1-0:1.8.0(000009.001');
    pty.write(bad);
    const c = await waitForItem(health, (m) => m.payload.state === 'corrupt');
    expect(c.payload.errors).toEqual({ bad_checksum: 1 });
    await waitForItem(status, (s) => s.fill === 'red' && /^corrupt/.test(s.text ?? ''));
    pty.write(dsmrTelegram({ meterId: 'CP1-1', importWh: 1002, powerW: 2000 }));
    const ok = await waitForItem(health, (m) => m.payload.state === 'ok' && m !== health[0]);
    expect(ok.payload.errors).toEqual({ bad_checksum: 1 });
    expect(readings.map((m) => m.payload.energyImportWh)).toEqual([1000, 1002]);
  });

  it('goes stale when the meter falls silent, and republishes nothing', async () => {
    const pty = await started();
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath, { staleTimeoutS: 0.5 }));
    const readings = recordMsgs('readings');
    const health = recordMsgs('health');
    const status = recordStatus('meter');
    const w = meterWriter((t) => pty.write(t), ['CP1-1'], 100);
    stops.push(() => w.stop());
    await waitForItem(health, (m) => m.payload.state === 'ok');
    w.stop();
    const stale = await waitForItem(health, (m) => m.payload.state === 'stale');
    const count = readings.length;
    expect(stale.payload.lastGoodAgeMs).toBeGreaterThanOrEqual(500);
    await waitForItem(status, (s) => s.fill === 'yellow' && /^stale \ds$/.test(s.text ?? ''));
    await new Promise((r) => setTimeout(r, 700));
    expect(readings).toHaveLength(count);
    expect(health.filter((m) => m.payload.state === 'stale')).toHaveLength(1);
    w.tick();
    await waitForItem(health, (m) => m.payload.state === 'ok' && m.payload.sinceMs > stale.payload.sinceMs);
  });

  it('goes red on unplug, reconnects by itself on replug, and readings flow again', async () => {
    const pty = await started();
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath));
    const readings = recordMsgs('readings');
    const health = recordMsgs('health');
    const status = recordStatus('meter');
    const w = meterWriter((t) => pty.write(t), ['CP1-1'], 100);
    stops.push(() => w.stop());
    await waitForItem(health, (m) => m.payload.state === 'ok');
    await pty.stop(); // unplug: socat gone, the device link vanishes
    const d = await waitForItem(health, (m) => m.payload.state === 'disconnected');
    expect(d.payload.errors.disconnected).toBe(1);
    await waitForItem(status, (s) => s.fill === 'red' && s.text === 'disconnected');
    const before = readings.length;
    await new Promise((r) => setTimeout(r, 600)); // several reconnection attempts meanwhile
    expect(readings).toHaveLength(before);
    await pty.start(); // replug on the same path
    await waitForItem(readings, (m) => readings.indexOf(m) >= before, 10000);
    await waitForItem(health, (m) => m.payload.state === 'ok' && m.payload.sinceMs > d.payload.sinceMs);
    await waitForItem(status, (s) => s.fill === 'green' && status.indexOf(s) > status.findIndex((x) => x.text === 'disconnected'));
    // Sequence numbers continue across the reconnection: nothing is replayed.
    const seqs = readings.map((m) => m.payload.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('reports a device that is missing from the start as disconnected, then connects when it appears', async () => {
    const pty = newPty();
    stops.push(() => pty.stop());
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath));
    const health = recordMsgs('health');
    const status = recordStatus('meter');
    await waitForItem(status, (s) => s.fill === 'red' && s.text === 'disconnected');
    expect(health).toHaveLength(0); // it started disconnected: no change to report
    await pty.start();
    await waitForItem(status, (s) => s.text === 'waiting for data');
    pty.write(dsmrTelegram({ meterId: 'CP1-1', importWh: 5, powerW: 0 }));
    const ok = await waitForItem(health, (m) => m.payload.state === 'ok');
    expect(ok.payload.errors).toEqual({ open_failed: 1 });
  });
});

async function waitFor3(readings: unknown[]): Promise<void> {
  await waitForItem(readings, () => readings.length >= 3);
}
