import { createServer, type Server, type Socket } from 'node:net';
import { createWriteStream, type WriteStream } from 'node:fs';
import { encodeDsmrTelegram } from '../../src/core/meter/dsmr';
import type { SimConfig } from './config';
import { serveModbusMeter, type ServedModbusMeter } from './modbus-device';
import { SITE_METER_ID, SimSite } from './site';
import type { FinishedVisit } from './connector';
import { loadSimState, saveSimState } from './state';
import { SIM_IDENT, telegramFields } from './telegram';
import { TruthFile } from './truth';

/** Where the simulator listens and writes. */
export interface SimEndpoints {
  host: string;
  /** TCP port for meter telegrams (0 picks a free one). */
  meterPort: number;
  /** TCP port for charger events out and setpoints in, as JSON lines (0 picks a free one). */
  controlPort: number;
  /** Also write telegrams to this tty device (one end of a socat pseudo-terminal pair). */
  meterDevice?: string;
  /** Also serve the site meter as an Eastron SDM630 (Modbus RTU slave 1) on this tty device. */
  modbusDevice?: string;
  /** Keep the meter registers in this file (restored at start, saved every interval and on stop). */
  stateFile?: string;
  /** Append one JSON line per finished visit (the ground truth) to this file, fsynced. */
  truthFile?: string;
  /** No EV arrives before the first controller has connected to the control port. */
  waitForControl?: boolean;
}

/** A running simulator. */
export interface RunningSimulator {
  meterPort: number;
  controlPort: number;
  site: SimSite;
  stop(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}

/** Parse one setpoint line from the control port; null if it is not a usable setpoint. */
export function parseSetpointLine(line: string): { connectorId: string; currentA: number; validForS?: number; safeCurrentA?: number } | null {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return null;
  }
  // Accept both a bare setpoint and the load node's whole message ({payload: setpoint}).
  const sp = (obj && typeof obj === 'object' && 'payload' in obj ? (obj as { payload: unknown }).payload : obj) as Record<string, unknown> | null;
  if (!sp || typeof sp !== 'object') return null;
  const connectorId = sp.connectorId === undefined ? undefined : String(sp.connectorId);
  const currentA = Number(sp.currentA);
  if (!connectorId || !Number.isFinite(currentA) || currentA < 0) return null;
  const validForS = Number(sp.validForS);
  const safeCurrentA = Number(sp.safeCurrentA);
  return { connectorId, currentA, validForS: Number.isFinite(validForS) && validForS > 0 ? validForS : undefined, safeCurrentA: Number.isFinite(safeCurrentA) ? safeCurrentA : undefined };
}

/** Start the simulator: a site model stepped every interval, served over TCP (and a tty). */
export async function startSimulator(cfg: SimConfig, ep: SimEndpoints, log: (line: string) => void = () => {}): Promise<RunningSimulator> {
  const site = new SimSite(cfg, Date.now(), { holdArrivals: ep.waitForControl === true });
  const saved = ep.stateFile ? loadSimState(ep.stateFile) : null;
  if (saved) {
    site.restoreState(saved);
    log(`state: registers restored from ${ep.stateFile} (saved ${new Date(saved.savedAtMs).toISOString()})`);
  }
  const truth = ep.truthFile ? new TruthFile(ep.truthFile) : undefined;
  let persistError = '';
  let unwritten: FinishedVisit[] = [];
  // Truth first, state second: the telegrams then never show a register that is not on disk.
  const persist = (nowMs: number): void => {
    const finished = site.takeFinishedVisits();
    if (truth) unwritten.push(...finished);
    try {
      truth?.append(unwritten);
      unwritten = [];
      if (ep.stateFile) saveSimState(ep.stateFile, site.exportState(nowMs));
      persistError = '';
    } catch (e) {
      // A full disk must not stop the meters (a real meter keeps counting); say it once.
      if ((e as Error).message !== persistError) log(`state/truth not saved: ${(e as Error).message}`);
      persistError = (e as Error).message;
    }
  };
  persist(Date.now());
  const meterClients = new Set<Socket>();
  const controlClients = new Set<Socket>();
  const track = (set: Set<Socket>) => (s: Socket) => {
    set.add(s);
    s.setNoDelay(true);
    s.on('close', () => set.delete(s));
    s.on('error', () => s.destroy());
  };
  const meterServer = createServer(track(meterClients));
  const controlServer = createServer((s) => {
    track(controlClients)(s);
    // As an OCPP charger sends StatusNotification at boot: the controller learns what it missed.
    const now = Date.now();
    s.write(site.stateReports(now).map((r) => `${JSON.stringify(r)}\n`).join(''));
    site.releaseArrivals(now);
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const sp = parseSetpointLine(line);
        if (!sp || !site.applySetpoint(sp.connectorId, sp.currentA, Date.now(), sp.validForS, sp.safeCurrentA)) log(`ignored control line: ${line.slice(0, 120)}`);
      }
      // A peer that never sends a newline must not grow the buffer without bound.
      if (buf.length > 65536) buf = '';
    });
  });
  const meterPort = await listen(meterServer, ep.host, ep.meterPort);
  const controlPort = await listen(controlServer, ep.host, ep.controlPort);
  let device: WriteStream | undefined;
  if (ep.meterDevice) {
    device = createWriteStream(ep.meterDevice, { flags: 'w' });
    device.on('error', (e) => log(`meter device: ${e.message}`));
  }

  let modbus: ServedModbusMeter | undefined;
  if (ep.modbusDevice) modbus = await serveModbusMeter(ep.modbusDevice, 'sdm630', log);
  const showModbus = (snapshots = site.snapshots()) => {
    const siteMeter = modbus && snapshots.find((m) => m.meterId === SITE_METER_ID);
    if (siteMeter) modbus!.show(siteMeter);
  };
  showModbus();

  const timer = setInterval(() => {
    const now = Date.now();
    const events = site.tick(now);
    persist(now);
    for (const ev of events) {
      const line = `${JSON.stringify(ev)}\n`;
      for (const s of controlClients) s.write(line);
    }
    const snapshots = site.snapshots();
    const telegrams = snapshots.map((m) => encodeDsmrTelegram(telegramFields(m, now), SIM_IDENT));
    showModbus(snapshots);
    const bytes = telegrams.join('');
    for (const s of meterClients) s.write(bytes);
    device?.write(bytes);
  }, cfg.intervalMs);

  return {
    meterPort,
    controlPort,
    site,
    stop: async () => {
      clearInterval(timer);
      const now = Date.now();
      site.tick(now);
      site.endOpenVisits(now, 'simulator_stop');
      persist(now);
      truth?.close();
      for (const s of [...meterClients, ...controlClients]) s.destroy();
      await Promise.all([meterServer, controlServer].map((srv) => new Promise<void>((r) => srv.close(() => r()))));
      if (device) await new Promise<void>((r) => device!.end(() => r()));
      await modbus?.close();
    },
  };
}
