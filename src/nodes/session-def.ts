// Turning the chargeledger-session node's saved properties into the session core's configuration.
import { resolveSessionConfig, validateConnectors, type ConnectorConfig, type SessionConfig } from '../core/session/config';
import { DEFAULT_CHECKPOINT_INTERVAL_MS } from '../core/session/checkpoint-policy';
import { DefReader } from './lib/def-fields';
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

/** Parse the node definition; throws naming every bad property. `stationId` falls back to the ledger's. */
export function parseSessionDef(def: NodeDef, ledgerStationId?: string): SessionNodeConfig {
  const r = new DefReader(def);
  let connectors: ConnectorConfig[] = [];
  try {
    connectors = validateConnectors(typeof def.connectors === 'string' ? JSON.parse(def.connectors || '[]') : def.connectors);
  } catch (e) {
    r.problem(`Connectors: ${(e as Error).message}`);
  }
  const updateIntervalMs = r.durationMs('updateIntervalS', 5, { label: 'Update interval', min: 0, max: 3600 });
  const checkpointIntervalMs = r.durationMs('checkpointIntervalS', DEFAULT_CHECKPOINT_INTERVAL_MS / 1000, { label: 'Checkpoint interval', min: 1, max: 86_400 });
  const periodMin = r.optNumber('periodMin', { label: 'Period', unit: 'min', min: 1, max: 60, integer: true });
  const chargingThresholdW = r.optNumber('chargingThresholdW', { label: 'Charging threshold', unit: 'W', min: 0, max: 1_000_000 });
  const rolloverModulusWh = r.optNumber('rolloverModulusWh', { label: 'Register rollover', unit: 'Wh', min: 0, integer: true });
  // Absent = the default ('resume').
  const recoveryPolicy = r.oneOf('recoveryPolicy', ['resume', 'close'] as const, 'resume', 'After a restart');
  const recoveryWaitS = r.optNumber('recoveryWaitS', { label: 'Recovery wait', unit: 's', min: 0, max: 3600 });
  r.done('chargeledger-session');
  const session = resolveSessionConfig({
    stationId: String(def.stationId || ledgerStationId || ''),
    chargerId: String(def.chargerId || ''),
    periodMin,
    chargingThresholdW,
    rolloverModulusWh,
    recoveryPolicy,
    recoveryWaitMs: recoveryWaitS === undefined ? undefined : recoveryWaitS * 1000,
  });
  return { session, connectors, updateIntervalMs, checkpointIntervalMs };
}
