import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sealRecord } from '../../core/ledger/record';
import type { OcmfIdentity } from '../../core/ocmf/build';
import { loadOrCreateKeys, type StationKeys } from '../keys/keystore';
import { LevelCheckpointStore } from './checkpoints';
import { isLockedError, LedgerStore } from './ledger-store';
import { LevelOutbox } from './outbox';

/** Where a station's files live: `<dataDir>/<stationId>/ledger` (LevelDB) and `.../keys`. */
export function stationPaths(dataDir: string, stationId: string): { dir: string; db: string; keys: string } {
  if (!/^[A-Za-z0-9._-]+$/.test(stationId)) throw new Error(`station id "${stationId}" may only hold letters, digits, ".", "_" and "-"`);
  const dir = path.resolve(dataDir, stationId);
  return { dir, db: path.join(dir, 'ledger'), keys: path.join(dir, 'keys') };
}

/** Options for opening a station's ledger for writing. */
export interface StationOptions {
  dataDir: string;
  stationId: string;
  identity: OcmfIdentity;
  sync?: boolean;
  now?: () => number;
  /** Open the database only after this settles. */
  openAfter?: Promise<unknown>;
}

/** An open station ledger: the store and its ports, and the current signing key id. */
export interface Station {
  store: LedgerStore;
  outbox: LevelOutbox;
  checkpoints: LevelCheckpointStore;
  keyId: string;
  paths: ReturnType<typeof stationPaths>;
}

/** Open (creating on first start) a station's ledger and its signing key. */
export function openStation(opts: StationOptions): Station {
  const paths = stationPaths(opts.dataDir, opts.stationId);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const keys: StationKeys = loadOrCreateKeys(paths.keys);
  const store = new LedgerStore(paths.db, {
    sync: opts.sync,
    now: opts.now,
    openAfter: opts.openAfter,
    sealer: (input) => sealRecord({ ...input, stationId: opts.stationId, keyId: keys.keyId }, opts.identity, keys.sign),
  });
  return { store, outbox: new LevelOutbox(store), checkpoints: new LevelCheckpointStore(store), keyId: keys.keyId, paths };
}

/**
 * Open a station's ledger for reading (no signing key needed), e.g. for exports and reports.
 * Rejects with what to do instead when Node-RED holds the database.
 */
export async function openStationForReading(dbPath: string): Promise<LedgerStore> {
  const store = new LedgerStore(dbPath);
  try {
    await store.ready;
    return store;
  } catch (e) {
    await store.close().catch(() => undefined);
    const why = isLockedError(e)
      ? 'is in use by Node-RED: stop it first, or download the sessions in the editor (ledger node, Sessions: JSON lines) and work on that file (chargeledger report FILE, chargeledger verify --chain FILE)'
      : `cannot be opened: ${(e as Error).message}`;
    throw new Error(`${dbPath} ${why}`, { cause: e });
  }
}

/**
 * Resolve a CLI `--data DIR` to a station directory: DIR itself when it holds `ledger/` or
 * `keys/`, else `DIR/<station>` when given, else DIR's only station subdirectory.
 * Throws a message naming the choices when that is ambiguous.
 */
export function resolveStationDir(dir: string, station?: string): string {
  const abs = path.resolve(dir);
  if (station) return stationPaths(abs, station).dir;
  if (existsSync(path.join(abs, 'ledger')) || existsSync(path.join(abs, 'keys'))) return abs;
  const candidates = existsSync(abs)
    ? readdirSync(abs, { withFileTypes: true }).filter((d) => d.isDirectory() && (existsSync(path.join(abs, d.name, 'ledger')) || existsSync(path.join(abs, d.name, 'keys'))))
    : [];
  if (candidates.length === 1) return path.join(abs, candidates[0].name);
  if (candidates.length > 1) throw new Error(`${abs} holds several stations (${candidates.map((c) => c.name).join(', ')}): choose one with --station`);
  return abs;
}
