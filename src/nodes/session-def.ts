// Turning the chargeledger-session node's saved properties into the session core's configuration.
import { resolveSessionConfig, validateConnectors, type ConnectorConfig, type SessionConfig } from '../core/session/config';
import { DEFAULT_CHECKPOINT_INTERVAL_MS } from '../core/session/checkpoint-policy';
import type { NodeDef } from './lib/red';

/** The node's settings after validation. */
export interface SessionNodeConfig {
  session: SessionConfig;
  connectors: ConnectorConfig[];
  /** Interval of 'updated' events, ms (0 = none). */
  updateIntervalMs: number;
  /** Checkpoint interval while charging, ms. */
  checkpointIntervalMs: number;
}

function num(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${String(v)}`);
  return n;
}

/** Parse the node definition; throws with a message naming the bad property. `stationId` falls back to the ledger's. */
export function parseSessionDef(def: NodeDef, ledgerStationId?: string): SessionNodeConfig {
  const connectors = validateConnectors(typeof def.connectors === 'string' ? JSON.parse(def.connectors || '[]') : def.connectors);
  const updateIntervalMs = num(def.updateIntervalS, 5) * 1000;
  const checkpointIntervalMs = num(def.checkpointIntervalS, DEFAULT_CHECKPOINT_INTERVAL_MS / 1000) * 1000;
  if (updateIntervalMs < 0) throw new Error('updateIntervalS must be ≥ 0');
  if (checkpointIntervalMs < 1000) throw new Error('checkpointIntervalS must be ≥ 1');
  const session = resolveSessionConfig({
    stationId: String(def.stationId || ledgerStationId || ''),
    chargerId: String(def.chargerId || ''),
    periodMin: def.periodMin === undefined || def.periodMin === '' ? undefined : num(def.periodMin, 15),
    chargingThresholdW: def.chargingThresholdW === undefined || def.chargingThresholdW === '' ? undefined : num(def.chargingThresholdW, 100),
    rolloverModulusWh: def.rolloverModulusWh === undefined || def.rolloverModulusWh === '' ? undefined : num(def.rolloverModulusWh, 0),
    // Absent = the default ('resume'); anything else than close/resume is rejected by resolveSessionConfig.
    recoveryPolicy: def.recoveryPolicy === undefined || def.recoveryPolicy === '' ? undefined : (def.recoveryPolicy as 'close' | 'resume'),
    recoveryWaitMs: def.recoveryWaitS === undefined || def.recoveryWaitS === '' ? undefined : num(def.recoveryWaitS, 30) * 1000,
  });
  return { session, connectors, updateIntervalMs, checkpointIntervalMs };
}
