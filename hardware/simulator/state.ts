// The simulator's persistent state (`--state FILE`): the meter registers survive a restart of the
// simulator, so a controller restarted with it sees the registers go on, never a "meter reset".
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../src/adapters/fs/atomic-file';
import type { OpenVisit } from './connector';

/** What the state file holds (JSON). Registers in integer mWh, exact. */
export interface SimState {
  version: 1;
  savedAtMs: number;
  siteRegisterMilliWh: number;
  connectors: Array<{ connectorId: string; registerMilliWh: number; visits: number; open: OpenVisit | null }>;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function checkOpen(v: unknown, where: string): OpenVisit | null {
  if (v === null || v === undefined) return null;
  const o = v as Record<string, unknown>;
  if (typeof o !== 'object' || !isCount(o.visit) || !isCount(o.plugMs) || !isCount(o.startRegisterMilliWh) || !(o.idTag === null || typeof o.idTag === 'string')) {
    throw new Error(`${where}: "open" is not a visit`);
  }
  return { visit: o.visit, plugMs: o.plugMs, idTag: o.idTag, startRegisterMilliWh: o.startRegisterMilliWh };
}

/** Parse and check a state file's text; throws a message naming what is wrong. */
export function parseSimState(text: string, file = 'state file'): SimState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON`);
  }
  const s = raw as Record<string, unknown>;
  if (!s || typeof s !== 'object' || s.version !== 1) throw new Error(`${file}: not a simulator state (version 1)`);
  if (!isCount(s.savedAtMs) || !isCount(s.siteRegisterMilliWh) || !Array.isArray(s.connectors)) throw new Error(`${file}: savedAtMs, siteRegisterMilliWh and connectors are required`);
  const connectors = s.connectors.map((c: Record<string, unknown>, i: number) => {
    if (!c || typeof c.connectorId !== 'string' || !isCount(c.registerMilliWh) || !isCount(c.visits)) throw new Error(`${file}: connector ${i + 1} needs connectorId, registerMilliWh and visits`);
    return { connectorId: c.connectorId, registerMilliWh: c.registerMilliWh, visits: c.visits, open: checkOpen(c.open, `${file}: connector ${c.connectorId}`) };
  });
  return { version: 1, savedAtMs: s.savedAtMs, siteRegisterMilliWh: s.siteRegisterMilliWh, connectors };
}

/** The saved state, or null when the file does not exist yet (first start). */
export function loadSimState(file: string): SimState | null {
  if (!existsSync(file)) return null;
  return parseSimState(readFileSync(file, 'utf8'), file);
}

/** Write the state atomically and durably (temp file, fsync, rename, directory fsync). */
export function saveSimState(file: string, state: SimState): void {
  writeFileAtomic(file, `${JSON.stringify(state)}\n`);
}
