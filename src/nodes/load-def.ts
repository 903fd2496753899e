// Turning the chargeledger-load node's saved properties (and the optional settings.js knobs)
// into the load controller's configuration.
import { loadConfig } from '../core/load/config';
import type { ConnectorConfig, LoadConfig, LoadTuning } from '../core/load/types';
import { DefReader } from './lib/def-fields';
import type { NodeDef } from './lib/red';

/** The node's settings after validation. */
export interface LoadNodeConfig {
  /** Readings whose topic (or payload.meterId) equals this are the site meter's. */
  siteMeterId: string;
  load: LoadConfig;
  /** all: every setpoint of every decision; changes: changed setpoints and refreshes at half their validity. */
  send: 'all' | 'changes';
}

/** Parse "63" or "63,63,40" (amperes per phase); a bad value is a problem. */
function perPhase(r: DefReader, v: unknown): number | [number, number, number] {
  const parts = String(v ?? '').split(/[,/ ]+/).filter(Boolean).map((x) => new DefReader({ x }).optNumber('x', { label: 'Site current', unit: 'A', min: 0 }));
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  if (parts.length === 3 && parts.every((x) => x !== undefined)) return parts as [number, number, number];
  r.problem(`Site current must be one number or three (L1,L2,L3) in A, got "${String(v ?? '')}"`);
  return 0;
}

/** Parse the node definition; `knobs` are settings.js tuning overrides. Throws naming the bad property. */
export function parseLoadDef(def: NodeDef, knobs: Partial<LoadTuning> = {}): LoadNodeConfig {
  const r = new DefReader(def);
  let raw: unknown;
  try {
    raw = typeof def.connectors === 'string' ? JSON.parse(def.connectors || '[]') : def.connectors;
  } catch (e) {
    r.problem(`Connectors are not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(raw) || raw.length === 0) r.problem('configure at least one connector');
  const connectors: ConnectorConfig[] = (Array.isArray(raw) ? raw : []).map((c: Record<string, unknown>, i: number) => {
    const cr = new DefReader(c);
    const what = `connector ${i + 1}`;
    const out: ConnectorConfig = {
      id: String(c.id ?? c.connectorId ?? '').trim(),
      phases: Number(c.phases) as 1 | 3,
      phase: (cr.optNumber('phase', { label: `${what} phase`, min: 1, max: 3, integer: true }) ?? 1) as 1 | 2 | 3,
      minCurrentA: cr.optNumber('minCurrentA', { label: `${what} min`, unit: 'A', min: 0 }),
      maxCurrentA: cr.optNumber('maxCurrentA', { label: `${what} max`, unit: 'A', min: 0 }) as number,
      cableMaxCurrentA: cr.optNumber('cableMaxCurrentA', { label: `${what} cable`, unit: 'A', min: 0 }),
      priority: cr.optNumber('priority', { label: `${what} priority`, integer: true }),
      meterId: c.meterId ? String(c.meterId).trim() : undefined,
    };
    for (const p of cr.problems) r.problem(p);
    return out;
  });
  const powerKw = r.optNumber('sitePowerKw', { label: 'Site power', unit: 'kW', min: 0 });
  const ms = (key: string, label: string): number | undefined => {
    const sv = r.optNumber(key, { label, unit: 's', min: 0 });
    return sv === undefined ? undefined : sv * 1000;
  };
  const tuning: Partial<LoadTuning> = {
    ...knobs,
    safeCurrentA: r.optNumber('safeCurrentA', { label: 'Safe current', unit: 'A', min: 0 }),
    validForS: r.optNumber('validForS', { label: 'Validity', unit: 's', min: 0 }),
    siteTimeoutMs: ms('siteTimeoutS', 'Site meter timeout'),
    rampStepA: r.optNumber('rampStepA', { label: 'Ramp step', unit: 'A', min: 0 }),
    hysteresisA: r.optNumber('hysteresisA', { label: 'Hysteresis', unit: 'A', min: 0 }),
    reserveA: r.optNumber('reserveA', { label: 'Reserve', unit: 'A', min: 0 }),
    minOnMs: ms('minOnS', 'Minimum on-time'),
    minOffMs: ms('minOffS', 'Minimum off-time'),
  };
  for (const k of Object.keys(tuning) as Array<keyof LoadTuning>) if (tuning[k] === undefined) delete tuning[k];
  const siteCurrent = perPhase(r, def.siteCurrentA);
  const siteMeterId = String(def.siteMeterId ?? '').trim();
  if (!siteMeterId) r.problem('Site meter id is required');
  const send = r.oneOf('send', ['all', 'changes'] as const, 'all', 'Send');
  r.done('chargeledger-load');
  const load = loadConfig({ site: { maxCurrentA: siteCurrent, maxPowerW: powerKw === undefined ? undefined : Math.round(powerKw * 1000) }, connectors, tuning });
  if (!(load.tuning.validForS > 0)) throw new Error('chargeledger-load: Validity must be > 0 s');
  if (!(load.tuning.siteTimeoutMs > 0)) throw new Error('chargeledger-load: Site meter timeout must be > 0 s');
  return { siteMeterId, load, send };
}
