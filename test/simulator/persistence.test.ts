// The simulator as a meter: state reports on connect, holding the first EV for a controller,
// registers that survive a restart (--state) and the ground truth of every visit (--truth).
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_SIM_CONFIG, type SimConfig } from '../../hardware/simulator/config';
import { startSimulator, type RunningSimulator } from '../../hardware/simulator/server';
import { waitFor } from '../helpers/ports';

const FAST: SimConfig = { ...DEFAULT_SIM_CONFIG, intervalMs: 100, arrivalGapMs: 0, rampDelayMs: 0, sessionWh: 3, phases: '3' };
const EP = { host: '127.0.0.1', meterPort: 0, controlPort: 0 };

function collect(port: number): { socket: Socket; lines: () => any[] } {
  let buf = '';
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (buf += d));
  return { socket, lines: () => buf.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

const jsonl = (f: string): any[] => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

describe('simulator as a meter', () => {
  const sims: RunningSimulator[] = [];
  const sockets: Socket[] = [];
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'cl-sim-'));
    dirs.push(d);
    return d;
  };
  const start = async (cfg: SimConfig, ep: Partial<Parameters<typeof startSimulator>[1]> = {}) => {
    const sim = await startSimulator(cfg, { ...EP, ...ep });
    sims.push(sim);
    return sim;
  };
  const stop = async (sim: RunningSimulator) => {
    sims.splice(sims.indexOf(sim), 1);
    await sim.stop();
  };
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    for (const s of sims.splice(0)) await s.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('sends one state report per connector to each controller that connects', async () => {
    const sim = await start({ ...FAST, sessionWh: 100_000 });
    await waitFor(() => sim.site.connectors.every((c) => c.phase === 'charging'), 10000);
    const late = collect(sim.controlPort);
    sockets.push(late.socket);
    const reports = await waitFor(() => (late.lines().length >= 2 ? late.lines().slice(0, 2) : null));
    expect(reports).toEqual([
      { connectorId: '1', cpState: 'C', idTag: sim.site.connectors[0].open!.idTag, report: 'status', timeMs: expect.any(Number) },
      { connectorId: '2', cpState: 'C', idTag: sim.site.connectors[1].open!.idTag, report: 'status', timeMs: expect.any(Number) },
    ]);
    expect(reports[0].idTag).toMatch(/^RFID\d{4}$/);
  });

  it('reports an empty connector as A without an idTag', async () => {
    const sim = await start({ ...FAST, connectors: 1, arrivalGapMs: 60_000 });
    const c = collect(sim.controlPort);
    sockets.push(c.socket);
    expect(await waitFor(() => c.lines()[0])).toEqual({ connectorId: '1', cpState: 'A', report: 'status', timeMs: expect.any(Number) });
  });

  it('with waitForControl, no EV arrives before a controller connects', async () => {
    const sim = await start({ ...FAST, connectors: 1 }, { waitForControl: true });
    await new Promise((r) => setTimeout(r, 1500)); // without the hold the EV plugs in after 1 s
    expect(sim.site.connectors[0].phase).toBe('empty');
    const c = collect(sim.controlPort);
    sockets.push(c.socket);
    const events = await waitFor(() => {
      const ev = c.lines().filter((l) => l.event);
      return ev.length >= 3 ? ev : null;
    }, 10000);
    expect(c.lines()[0]).toMatchObject({ report: 'status', cpState: 'A' });
    expect(events.slice(0, 3).map((l) => l.event)).toEqual(['plug', 'authorize', 'start']);
  });

  it('keeps the registers across a restart with a state file, and writes the truth of every visit', async () => {
    const dir = tmp();
    const stateFile = path.join(dir, 'state.json');
    const truthFile = path.join(dir, 'truth.jsonl');
    const cfg = { ...FAST, connectors: 1 };
    let sim = await start(cfg, { stateFile, truthFile });
    const initialWh = sim.site.connectors[0].registerWh;
    await waitFor(() => jsonl(truthFile).length >= 1, 20000);
    await stop(sim);
    const saved = JSON.parse(readFileSync(stateFile, 'utf8'));
    const savedWh = Math.floor(saved.connectors[0].registerMilliWh / 1000);
    expect(savedWh).toBeGreaterThan(initialWh);

    sim = await start(cfg, { stateFile, truthFile });
    // A fresh simulator with the same seed would start at initialWh again: a "meter reset".
    expect(sim.site.connectors[0].registerWh).toBe(savedWh);
    await waitFor(() => jsonl(truthFile).filter((v) => v.end === 'unplug').length >= 2, 20000);
    await stop(sim);

    const truth = jsonl(truthFile);
    for (const v of truth) {
      expect(v).toMatchObject({ connectorId: '1', meterId: 'CP1-1', plugMs: expect.any(Number), unplugMs: expect.any(Number) });
      expect(v.energyWh).toBe(v.endRegisterWh - v.startRegisterWh);
      expect(v.unplugMs).toBeGreaterThanOrEqual(v.plugMs);
    }
    const unplugged = truth.filter((v) => v.end === 'unplug');
    expect(unplugged[0]).toMatchObject({ visit: 1, startRegisterWh: initialWh, idTag: expect.stringMatching(/^RFID/) });
    expect(unplugged[0].energyWh).toBeGreaterThanOrEqual(3);
    // Visits continue each other's registers, across the restart too.
    for (let i = 1; i < truth.length; i++) expect(truth[i].startRegisterWh).toBe(truth[i - 1].endRegisterWh);
    expect(truth.map((v) => v.visit)).toEqual(truth.map((_v, i) => i + 1));
  });

  it('ends a visit that a killed simulator left open at the saved register', async () => {
    const dir = tmp();
    const stateFile = path.join(dir, 'state.json');
    const truthFile = path.join(dir, 'truth.jsonl');
    const open = { visit: 4, plugMs: 1_700_000_000_000, idTag: 'RFID4711', startRegisterMilliWh: 1_000_000 };
    writeFileSync(stateFile, JSON.stringify({ version: 1, savedAtMs: 1_700_000_060_000, siteRegisterMilliWh: 9_000_000, connectors: [{ connectorId: '1', registerMilliWh: 1_020_500, visits: 4, open }] }));
    const sim = await start({ ...FAST, connectors: 1, arrivalGapMs: 60_000 }, { stateFile, truthFile });
    expect(jsonl(truthFile)).toEqual([
      { connectorId: '1', meterId: 'CP1-1', visit: 4, idTag: 'RFID4711', plugMs: open.plugMs, unplugMs: 1_700_000_060_000, startRegisterWh: 1000, endRegisterWh: 1020, energyWh: 20, end: 'simulator_restart' },
    ]);
    expect(sim.site.connectors[0]).toMatchObject({ registerWh: 1020, visits: 4, open: null, phase: 'empty' });
  });

  it('refuses a state file that does not fit, and leaves it alone', async () => {
    const dir = tmp();
    const stateFile = path.join(dir, 'state.json');
    writeFileSync(stateFile, '{"version":1,');
    await expect(startSimulator(FAST, { ...EP, stateFile })).rejects.toThrow(/is not JSON/);
    writeFileSync(stateFile, JSON.stringify({ version: 1, savedAtMs: 1, siteRegisterMilliWh: 0, connectors: [{ connectorId: '1', registerMilliWh: 5, visits: 0 }] }));
    await expect(startSimulator(FAST, { ...EP, stateFile })).rejects.toThrow(/1 connectors, the simulator 2/);
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).connectors).toHaveLength(1);
  });
});
