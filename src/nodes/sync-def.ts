// Turning the chargeledger-sync node's saved properties into the pump's and telemetry's settings.
import { DefReader } from './lib/def-fields';
import type { NodeDef } from './lib/red';

/** The sync node's settings after validation. */
export interface SyncNodeConfig {
  ratePerS: number;
  burst: number;
  maxInFlight: number;
  ackTimeoutMs: number;
  /** 0 = no telemetry. */
  telemetryIntervalS: number;
}

/** Decode the node definition; throws naming every bad field. */
export function parseSyncDef(def: NodeDef): SyncNodeConfig {
  const r = new DefReader(def);
  const cfg: SyncNodeConfig = {
    ratePerS: r.number('ratePerS', 100, { label: 'Replay rate', unit: 'records/s', min: 0.001, max: 100_000 }),
    burst: r.number('burst', 50, { label: 'Burst', unit: 'records', min: 1, max: 100_000, integer: true }),
    maxInFlight: r.number('maxInFlight', 200, { label: 'In flight', unit: 'records', min: 1, max: 10_000, integer: true }),
    ackTimeoutMs: r.durationMs('ackTimeoutS', 30, { label: 'Ack timeout', min: 0.1, max: 86_400 }),
    telemetryIntervalS: r.number('telemetryIntervalS', 10, { label: 'Telemetry interval', unit: 's', min: 0, max: 86_400 }),
  };
  r.done('chargeledger-sync');
  return cfg;
}
