// The ONE place where a `chargeledger` command finds a station's files. The running station
// (npm start: runtime/start.js + flows/charger.json) keeps them in
//   <CHARGELEDGER_DATA_DIR, default ./data>/<CHARGELEDGER_STATION_ID, default station-1>/{ledger,keys}
// (the ledger node's dataDir is ${CHARGELEDGER_DATA_DIR}; see src/adapters/store/station.ts). A
// ledger node whose dataDir is left empty uses <userDir>/chargeledger, and npm start's userDir
// is <data dir>/node-red, so that place is searched too. Looking never creates anything.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { stationPaths } from '../adapters/store/station';
import { UsageError } from './usage';

/** Where the data dir came from, for messages. */
export type DataDirSource = '--data' | 'CHARGELEDGER_DATA_DIR' | 'the default ./data';

/** A resolved data dir (absolute) and where it came from. */
export interface DataDir {
  dir: string;
  source: DataDirSource;
}

/** The station id the runtime uses when CHARGELEDGER_STATION_ID is unset (runtime/start.js). */
export const DEFAULT_STATION_ID = 'station-1';

/** `--data`, then CHARGELEDGER_DATA_DIR, then ./data: the same order and default as `npm start`. */
export function dataDirOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): DataDir {
  if (flag !== undefined && flag !== '') return { dir: path.resolve(flag), source: '--data' };
  if (env.CHARGELEDGER_DATA_DIR) return { dir: path.resolve(env.CHARGELEDGER_DATA_DIR), source: 'CHARGELEDGER_DATA_DIR' };
  return { dir: path.resolve('data'), source: 'the default ./data' };
}

/** "/x/data (from CHARGELEDGER_DATA_DIR)", for messages. */
export function describeDataDir(d: DataDir): string {
  return `${d.dir} (from ${d.source})`;
}

const isStationDir = (dir: string): boolean => existsSync(path.join(dir, 'ledger')) || existsSync(path.join(dir, 'keys'));

/** The directories that may hold station dirs: the data dir, then the ledger node's default under npm start's userDir. */
export function stationBases(dataDir: string): string[] {
  return [dataDir, path.join(dataDir, 'node-red', 'chargeledger')];
}

function stationsIn(base: string): string[] {
  if (!existsSync(base) || !statSync(base).isDirectory()) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isStationDir(path.join(base, d.name)))
    .map((d) => d.name)
    .sort();
}

/** The outcome of looking for a station. */
export interface StationLookup {
  data: DataDir;
  /** The station directory: the one found, or where a new station would live (`found` false). */
  stationDir: string;
  found: boolean;
}

/** What a lookup is given: the command's --data and --station, and the environment. */
export interface StationQuery {
  data?: string;
  station?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Find the station directory without creating anything. The data dir may itself be a station
 * directory. The station is --station, else CHARGELEDGER_STATION_ID, else the data dir's only
 * station; several stations and no id is a UsageError naming them. When nothing is found,
 * `stationDir` is where the runtime would put the station (<data dir>/<id or station-1>).
 */
export function lookupStation(q: StationQuery): StationLookup {
  const env = q.env ?? process.env;
  const data = dataDirOf(q.data, env);
  const id = q.station || env.CHARGELEDGER_STATION_ID || undefined;
  const make = (dir: string, found: boolean): StationLookup => ({ data, stationDir: dir, found });
  if (!q.station && isStationDir(data.dir)) return make(data.dir, true);
  let paths: (base: string) => string;
  try {
    if (id) stationPaths(data.dir, id); // validates the id
    paths = (base) => stationPaths(base, id!).dir;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (id) {
    for (const base of stationBases(data.dir)) if (isStationDir(paths(base))) return make(paths(base), true);
    return make(paths(data.dir), false);
  }
  for (const base of stationBases(data.dir)) {
    const names = stationsIn(base);
    if (names.length === 1) return make(path.join(base, names[0]), true);
    if (names.length > 1) throw new UsageError(`${base} holds several stations (${names.join(', ')}): choose one with --station`);
  }
  return make(path.join(data.dir, DEFAULT_STATION_ID), false);
}

/** Where to look when the station is not found: the usual places, for messages. */
export const WHERE_HINT = 'give --data DIR or set CHARGELEDGER_DATA_DIR as the station has it (npm start: ./data; a Node-RED without npm start: <Node-RED user dir>/chargeledger, e.g. ~/.node-red/chargeledger)';

/** Like lookupStation, for read-only commands: a station that does not exist is an error (exit 1). */
export function requireStation(q: StationQuery, what = 'station'): StationLookup {
  const found = lookupStation(q);
  if (!found.found) throw new Error(`no ${what} found: ${found.stationDir} does not exist (data dir ${describeDataDir(found.data)}); ${WHERE_HINT}`);
  return found;
}

/** The station's keys directory. */
export const keysDirOf = (stationDir: string): string => path.join(stationDir, 'keys');

/** The station's LevelDB directory. */
export const ledgerDirOf = (stationDir: string): string => path.join(stationDir, 'ledger');

/** Whether a LevelDB database exists at `dir` (opening one that does not would create it). */
export const isLevelDb = (dir: string): boolean => existsSync(path.join(dir, 'CURRENT'));
