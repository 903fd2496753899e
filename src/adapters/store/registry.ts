import type { Station, StationOptions } from './station';
import { openStation, stationPaths } from './station';

type Entry = { station: Station; users: number };

// One open LevelDB per station path in this process: LevelDB allows a single opener, and a
// redeploy creates the new config node before (or while) the old one closes.
const open = new Map<string, Entry>();
const closing = new Map<string, Promise<void>>();

/**
 * Acquire the shared station for these options (synchronously: its store opens in the
 * background, after any previous owner has closed); pair every acquire with one release.
 */
export function acquireStation(opts: StationOptions): Station {
  const key = stationPaths(opts.dataDir, opts.stationId).db;
  let entry = open.get(key);
  if (!entry) {
    entry = { station: openStation({ ...opts, openAfter: closing.get(key) }), users: 0 };
    open.set(key, entry);
  }
  entry.users++;
  return entry.station;
}

/** Release one use; the database closes when the last user leaves. */
export async function releaseStation(station: Station): Promise<void> {
  const key = station.paths.db;
  const entry = open.get(key);
  if (!entry || entry.station !== station) return;
  entry.users--;
  if (entry.users > 0) return;
  open.delete(key);
  const done = station.store.close().finally(() => closing.delete(key));
  closing.set(key, done);
  await done;
}

/** Number of users of the station open at a db path (0 when closed). */
export function stationUsers(dbPath: string): number {
  return open.get(dbPath)?.users ?? 0;
}
