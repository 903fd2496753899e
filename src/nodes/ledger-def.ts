// Turning the chargeledger-ledger config node's saved properties into its settings.
import { DefReader } from './lib/def-fields';
import type { NodeDef } from './lib/red';

/** The ledger node's settings after validation. */
export interface LedgerNodeConfig {
  stationId: string;
  /** Empty: under Node-RED's user dir. */
  dataDir: string;
  /** Records older than this and already synced are pruned; 0 keeps everything. */
  retentionDays: number;
}

/** Decode the node definition; throws naming every bad field (a bad retention never switches pruning off silently). */
export function parseLedgerDef(def: NodeDef): LedgerNodeConfig {
  const r = new DefReader(def);
  const cfg: LedgerNodeConfig = {
    stationId: r.id('stationId', 'Station id', 'station-1'),
    dataDir: r.text('dataDir'),
    retentionDays: r.number('retentionDays', 365, { label: 'Retention', unit: 'days', min: 0, max: 36_500, integer: true }),
  };
  r.done('chargeledger-ledger');
  return cfg;
}
