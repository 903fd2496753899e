// Load meter profiles (hardware/meters/<name>.json) by name or by file path.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { validateModbusProfile, type ModbusProfile } from '../core/meter/modbus-meter';
import { validateProfile, type MeterProfile } from '../core/meter/profile';

/** A telegram profile or a Modbus RTU register map. */
export type AnyProfile = MeterProfile | ModbusProfile;

/** Whether a profile is a Modbus RTU register map. */
export function isModbusProfile(p: AnyProfile): p is ModbusProfile {
  return p.protocol === 'modbus-rtu';
}

/** A profile name or path that does not lead to a file. */
export class ProfileNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileNotFoundError';
  }
}

/** The shipped profiles folder: hardware/meters of this package (from src/ or from dist/src/). */
export function profilesDir(): string {
  const candidates = [path.resolve(__dirname, '../../hardware/meters'), path.resolve(__dirname, '../../../hardware/meters')];
  return candidates.find((d) => existsSync(d)) ?? candidates[0];
}

/** Names of the shipped profiles, sorted. */
export function listProfiles(): string[] {
  try {
    return readdirSync(profilesDir()).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  } catch {
    return [];
  }
}

/** Read a profile file by name or path: the file and its parsed JSON. */
function readProfile(nameOrPath: string): { file: string; obj: unknown } {
  const isPath = nameOrPath.includes('/') || nameOrPath.includes(path.sep) || nameOrPath.endsWith('.json');
  if (!isPath && !/^[A-Za-z0-9._-]+$/.test(nameOrPath)) throw new ProfileNotFoundError(`invalid profile name "${nameOrPath}"`);
  const file = isPath ? path.resolve(nameOrPath) : path.join(profilesDir(), `${nameOrPath}.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      const known = listProfiles();
      throw new ProfileNotFoundError(isPath ? `profile file not found: ${file}` : `unknown meter profile "${nameOrPath}" (known: ${known.join(', ') || 'none'})`);
    }
    throw e;
  }
  try {
    return { file, obj: JSON.parse(text) };
  } catch (e) {
    throw new Error(`meter profile ${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Load and validate a profile of either kind: a telegram profile, or a Modbus RTU register map
 * (`"protocol": "modbus-rtu"`). `nameOrPath` is a shipped profile name ("generic-dsmr",
 * "sdm630") or a path to a JSON file (contains a path separator or ends in .json). Throws
 * ProfileNotFoundError for an unknown name/missing file, and an Error naming the file for bad
 * JSON or an invalid profile.
 */
export function loadAnyProfile(nameOrPath: string): AnyProfile {
  const { file, obj } = readProfile(nameOrPath);
  try {
    const modbus = typeof obj === 'object' && obj !== null && (obj as { protocol?: unknown }).protocol === 'modbus-rtu';
    return modbus ? validateModbusProfile(obj) : validateProfile(obj);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** Load a telegram profile (see loadAnyProfile); a Modbus register map is refused with a clear message. */
export function loadProfile(nameOrPath: string): MeterProfile {
  const p = loadAnyProfile(nameOrPath);
  if (isModbusProfile(p)) throw new Error(`meter profile "${p.name}" is a Modbus RTU register map: it reads a meter port (chargeledger read, chargeledger-meter-port), it does not decode telegrams`);
  return p;
}
