import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { startRuntime, type StartedRuntime } from '../helpers/runtime';
import { waitFor } from '../helpers/ports';

// `npm start` as a whole system: the reference receiver acknowledges the records, the first EV is
// recorded (state report + hold-off), the simulator's registers survive a restart, and no child
// outlives the supervisor (Node-RED SIGKILLed, or the supervisor itself SIGKILLed).

/** True while the process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const pidOf = (out: string, what: RegExp): number => {
  const m = new RegExp(`${what.source}.*\\(pid (\\d+)\\)`).exec(out);
  if (!m) throw new Error(`no pid for ${what} in:\n${out}`);
  return Number(m[1]);
};
const jsonl = (f: string): any[] => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
const pids = (out: string) => ({ sim: pidOf(out, /simulator: meters/), rx: pidOf(out, /reference receiver/), red: pidOf(out, /Node-RED starting/) });

describe('npm start supervises the whole demo', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'cl-supervisor-'));
  const dataDir = path.join(work, 'data');
  const truthFile = path.join(work, 'truth.jsonl');
  const env = { CHARGELEDGER_DATA_DIR: dataDir, CHARGELEDGER_SIM_TRUTH: truthFile, CHARGELEDGER_SIM_SESSION_WH: '20', CHARGELEDGER_SIM_PHASES: '3' };
  const started: StartedRuntime[] = [];
  const leftovers: number[] = [];

  afterAll(async () => {
    for (const rt of started) if (rt.child.exitCode === null && rt.child.signalCode === null) await rt.stop();
    for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('records the first EV, has the receiver acknowledge it, and stops everything when Node-RED is SIGKILLed', async () => {
    const rt = await startRuntime(env);
    started.push(rt);
    await waitFor(() => /Node-RED starting/.test(rt.output()), 20000, 100);
    const p = pids(rt.output());
    leftovers.push(p.sim, p.rx, p.red);
    const client = await waitFor(async () => mqtt.connectAsync(`mqtt://127.0.0.1:${rt.brokerPort}`, { reconnectPeriod: 0, connectTimeout: 1000 }).catch(() => null), 20000, 200);
    const acked: string[] = [];
    client.on('message', (_t, payload) => acked.push(...JSON.parse(payload.toString()).ack));
    await client.subscribeAsync(`chargeledger/${rt.stationId}/acks`, { qos: 1 });
    try {
      // The first visit on connector 1, as the simulator really did it.
      const first = await waitFor(() => jsonl(truthFile).find((v) => v.connectorId === '1'), 90000, 200);
      expect(first.visit).toBe(1);
      const stored = path.join(dataDir, 'receiver', `${rt.stationId}.jsonl`);
      const rec = await waitFor(() => jsonl(stored).find((r) => r.session.connectorId === '1'), 60000, 200);
      // Its events reached the station although Node-RED started after the simulator.
      expect(rec.session).toMatchObject({ idTag: first.idTag, startReading: { energyWh: first.startRegisterWh }, endReading: { energyWh: first.endRegisterWh } });
      await waitFor(() => acked.includes(rec.id), 30000, 100);
    } finally {
      await client.endAsync(true);
    }
    expect(existsSync(path.join(dataDir, 'simulator-state.json'))).toBe(true);

    process.kill(p.red, 'SIGKILL');
    await waitFor(() => rt.child.exitCode !== null, 15000, 100);
    expect(rt.child.exitCode).toBe(1);
    await waitFor(() => !alive(p.sim) && !alive(p.rx), 5000, 100);
  }, 180000);

  it('starts no broker and no receiver when the backend is someone else\'s (CHARGELEDGER_MQTT_URL)', async () => {
    const rt = await startRuntime({ ...env, CHARGELEDGER_DATA_DIR: path.join(work, 'other'), CHARGELEDGER_MQTT_URL: 'mqtt://127.0.0.1:1' });
    started.push(rt);
    await waitFor(() => /Node-RED starting/.test(rt.output()), 20000, 100);
    leftovers.push(pidOf(rt.output(), /simulator: meters/), pidOf(rt.output(), /Node-RED starting/));
    expect(rt.output()).not.toMatch(/reference receiver|embedded MQTT broker/);
    expect(existsSync(path.join(work, 'other', 'receiver'))).toBe(false);
    expect((await rt.stop()).code).toBe(0);
  }, 60000);

  it('restarts with the registers where they were, and leaves no child behind when the supervisor is SIGKILLed', async () => {
    const before = JSON.parse(readFileSync(path.join(dataDir, 'simulator-state.json'), 'utf8'));
    const rt = await startRuntime(env);
    started.push(rt);
    await waitFor(() => /Node-RED starting/.test(rt.output()), 20000, 100);
    expect(rt.output()).toMatch(/registers restored from .*simulator-state\.json/);
    const p = pids(rt.output());
    leftovers.push(p.sim, p.rx, p.red);
    const now = JSON.parse(readFileSync(path.join(dataDir, 'simulator-state.json'), 'utf8'));
    for (let i = 0; i < before.connectors.length; i++) expect(now.connectors[i].registerMilliWh).toBeGreaterThanOrEqual(before.connectors[i].registerMilliWh);

    rt.child.kill('SIGKILL');
    await waitFor(() => rt.child.signalCode === 'SIGKILL', 5000, 50);
    await waitFor(() => !alive(p.sim) && !alive(p.rx) && !alive(p.red), 20000, 100);
  }, 60000);
});
