// The meter port config node's saved properties → a MeterPortConfig (strings from the editor).
import { parseSlaveIds, type MeterPortConfig } from '../adapters/serial/port-config';
import type { NodeDef } from './lib/red';

/** Default stale timeout when the property is missing or not a positive number, s. */
export const DEFAULT_STALE_S = 15;

function optNumber(v: unknown): number | undefined {
  if (v === undefined || v === null || String(v).trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : NaN;
}

/** Read a config node definition; empty fields mean "the profile's default". */
export function portConfigFromDef(def: NodeDef): MeterPortConfig {
  const stale = optNumber(def.staleTimeoutS);
  const poll = optNumber(def.pollIntervalS);
  const parity = String(def.parity ?? '').trim();
  const mode = String(def.mode ?? 'auto');
  return {
    port: String(def.port ?? '').trim(),
    baudRate: optNumber(def.baudRate),
    dataBits: optNumber(def.dataBits) as MeterPortConfig['dataBits'],
    parity: (parity || undefined) as MeterPortConfig['parity'],
    stopBits: optNumber(def.stopBits) as MeterPortConfig['stopBits'],
    mode: mode === 'push' || mode === 'poll' ? mode : 'auto',
    pollIntervalMs: poll === undefined ? undefined : Math.round(poll * 1000),
    staleTimeoutMs: stale !== undefined && stale > 0 ? Math.round(stale * 1000) : DEFAULT_STALE_S * 1000,
    modbusSlaves: parseSlaveIds(def.slaves),
  };
}
