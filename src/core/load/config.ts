// Load-controller configuration: defaults for the tuning knobs and validation of what the
// editor (or a test fixture) gives, with errors that name the field.

import type { ConnectorConfig, LoadConfig, LoadTuning, SiteLimit } from './types';

/** Default tuning; chosen for a 1 s site-meter interval and EVs that follow within ~3 s. */
export const DEFAULT_TUNING: LoadTuning = {
  safeCurrentA: 6,
  validForS: 10,
  siteTimeoutMs: 5000,
  connectorMeterTimeoutMs: 5000,
  rampStepA: 4,
  rampIntervalMs: 3000,
  hysteresisA: 1,
  reserveA: 1,
  buildingHoldMs: 10_000,
  evResponseMs: 5000,
  evDrawMarginA: 2,
  minOffMs: 120_000,
  minOnMs: 300_000,
  nominalVoltageV: 230,
};

/** Input accepted by loadConfig: tuning fields may be left out. */
export interface LoadConfigInput {
  site: { maxCurrentA: number | [number, number, number]; maxPowerW?: number };
  connectors: ConnectorConfig[];
  tuning?: Partial<LoadTuning>;
}

function positive(v: unknown, what: string, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new Error(`${what} must be a number ${allowZero ? '>= 0' : '> 0'} (got ${JSON.stringify(v)})`);
  }
  return v;
}

/** Validate a configuration and fill in defaults; throws an Error naming the bad field. */
export function loadConfig(input: LoadConfigInput): LoadConfig {
  const c = input.site?.maxCurrentA;
  const per = Array.isArray(c) ? c : [c, c, c];
  if (per.length !== 3) throw new Error('site.maxCurrentA must be one number or three');
  const site: SiteLimit = { maxCurrentA: per.map((x, i) => positive(x, `site.maxCurrentA[L${i + 1}]`, true)) as [number, number, number] };
  if (input.site.maxPowerW !== undefined && input.site.maxPowerW !== null) site.maxPowerW = positive(input.site.maxPowerW, 'site.maxPowerW', true);
  if (!Array.isArray(input.connectors)) throw new Error('connectors must be a list');
  const ids = new Set<string>();
  const connectors = input.connectors.map((k, i): ConnectorConfig => {
    const where = `connectors[${i}]`;
    if (typeof k.id !== 'string' || k.id === '') throw new Error(`${where}.id must be a non-empty string`);
    if (ids.has(k.id)) throw new Error(`${where}.id "${k.id}" is used twice`);
    ids.add(k.id);
    if (k.phases !== 1 && k.phases !== 3) throw new Error(`${where}.phases must be 1 or 3`);
    const phase = k.phase ?? 1;
    if (phase !== 1 && phase !== 2 && phase !== 3) throw new Error(`${where}.phase must be 1, 2 or 3`);
    const minCurrentA = positive(k.minCurrentA ?? 6, `${where}.minCurrentA`);
    const maxCurrentA = positive(k.maxCurrentA, `${where}.maxCurrentA`);
    if (maxCurrentA < minCurrentA) throw new Error(`${where}.maxCurrentA is below its minCurrentA`);
    const out: ConnectorConfig = { id: k.id, phases: k.phases, phase, minCurrentA, maxCurrentA, priority: k.priority ?? 0 };
    if (!Number.isInteger(out.priority)) throw new Error(`${where}.priority must be an integer`);
    if (k.cableMaxCurrentA !== undefined && k.cableMaxCurrentA !== null) out.cableMaxCurrentA = positive(k.cableMaxCurrentA, `${where}.cableMaxCurrentA`);
    if (k.meterId) out.meterId = String(k.meterId);
    return out;
  });
  const tuning: LoadTuning = { ...DEFAULT_TUNING };
  for (const [key, v] of Object.entries(input.tuning ?? {})) {
    if (!(key in DEFAULT_TUNING)) throw new Error(`unknown tuning field ${key}`);
    if (v === undefined || v === null) continue;
    tuning[key as keyof LoadTuning] = positive(v, `tuning.${key}`, key !== 'validForS' && key !== 'siteTimeoutMs' && key !== 'nominalVoltageV');
  }
  return { site, connectors, tuning };
}

/** A warning when every connector at the safe current would exceed the site limit on some phase (null if it fits). */
export function safeCurrentWarning(cfg: LoadConfig): string | null {
  const perPhase = [0, 0, 0];
  for (const c of cfg.connectors) {
    const a = Math.min(cfg.tuning.safeCurrentA, c.maxCurrentA, c.cableMaxCurrentA ?? Infinity);
    const first = c.phase ?? 1;
    const phases = c.phases === 1 ? [first] : [1, 2, 3];
    for (const p of phases) perPhase[p - 1] += a;
  }
  const over = perPhase.findIndex((a, p) => a > cfg.site.maxCurrentA[p]);
  if (over < 0) return null;
  return `all connectors at the safe current (${cfg.tuning.safeCurrentA} A) would draw ${perPhase[over]} A on L${over + 1}, above the site limit of ${cfg.site.maxCurrentA[over]} A`;
}
