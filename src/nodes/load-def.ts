// Turning the chargeledger-load node's saved properties (and the optional settings.js knobs)
// into the load controller's configuration.
import { loadConfig } from '../core/load/config';
import type { ConnectorConfig, LoadConfig, LoadTuning } from '../core/load/types';
import type { NodeDef } from './lib/red';

/** The node's settings after validation. */
export interface LoadNodeConfig {
  /** Readings whose topic (or payload.meterId) equals this are the site meter's. */
  siteMeterId: string;
  load: LoadConfig;
  /** all: every setpoint of every decision; changes: changed setpoints and refreshes at half their validity. */
  send: 'all' | 'changes';
}

function num(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${what}: not a number: ${String(v)}`);
  return n;
}

function seconds(v: unknown, what: string): number | undefined {
  const s = num(v, what);
  return s === undefined ? undefined : s * 1000;
}

/** Parse "63" or "63,63,40" (amperes per phase). */
function perPhase(v: unknown): number | [number, number, number] {
  const parts = String(v ?? '').split(/[,/ ]+/).filter(Boolean).map((x) => num(x, 'site current'));
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  if (parts.length === 3 && parts.every((x) => x !== undefined)) return parts as [number, number, number];
  throw new Error(`site current must be one number or three (L1,L2,L3), got "${String(v)}"`);
}

/** Parse the node definition; `knobs` are settings.js tuning overrides. Throws naming the bad property. */
export function parseLoadDef(def: NodeDef, knobs: Partial<LoadTuning> = {}): LoadNodeConfig {
  const raw = typeof def.connectors === 'string' ? JSON.parse(def.connectors || '[]') : def.connectors;
  if (!Array.isArray(raw) || raw.length === 0) throw new Error('configure at least one connector');
  const connectors: ConnectorConfig[] = raw.map((c: Record<string, unknown>, i: number) => ({
    id: String(c.id ?? c.connectorId ?? '').trim(),
    phases: Number(c.phases) as 1 | 3,
    phase: (num(c.phase, `connector ${i + 1} phase`) ?? 1) as 1 | 2 | 3,
    minCurrentA: num(c.minCurrentA, `connector ${i + 1} min`),
    maxCurrentA: num(c.maxCurrentA, `connector ${i + 1} max`) as number,
    cableMaxCurrentA: num(c.cableMaxCurrentA, `connector ${i + 1} cable`),
    priority: num(c.priority, `connector ${i + 1} priority`),
    meterId: c.meterId ? String(c.meterId).trim() : undefined,
  }));
  const powerKw = num(def.sitePowerKw, 'site power');
  const tuning: Partial<LoadTuning> = {
    ...knobs,
    safeCurrentA: num(def.safeCurrentA, 'safe current'),
    validForS: num(def.validForS, 'validity'),
    siteTimeoutMs: seconds(def.siteTimeoutS, 'site meter timeout'),
    rampStepA: num(def.rampStepA, 'ramp step'),
    hysteresisA: num(def.hysteresisA, 'hysteresis'),
    reserveA: num(def.reserveA, 'reserve'),
    minOnMs: seconds(def.minOnS, 'minimum on-time'),
    minOffMs: seconds(def.minOffS, 'minimum off-time'),
  };
  for (const k of Object.keys(tuning) as Array<keyof LoadTuning>) if (tuning[k] === undefined) delete tuning[k];
  const load = loadConfig({
    site: { maxCurrentA: perPhase(def.siteCurrentA), maxPowerW: powerKw === undefined ? undefined : Math.round(powerKw * 1000) },
    connectors,
    tuning,
  });
  if (!(load.tuning.validForS > 0)) throw new Error('validity must be > 0 s');
  if (!(load.tuning.siteTimeoutMs > 0)) throw new Error('site meter timeout must be > 0 s');
  const siteMeterId = String(def.siteMeterId ?? '').trim();
  if (!siteMeterId) throw new Error('site meter id is required');
  const send = def.send === undefined || def.send === '' ? 'all' : String(def.send);
  if (send !== 'all' && send !== 'changes') throw new Error(`send must be "all" or "changes", got "${send}"`);
  return { siteMeterId, load, send };
}
