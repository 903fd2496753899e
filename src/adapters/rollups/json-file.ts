// Small durable JSON files (the tariff config node's backend overrides and price feed):
// written to a temp file, fsync'd, then renamed, so a power cut leaves the old or the new file.
import fs from 'node:fs';
import { writeFileAtomic } from '../fs/atomic-file';

/** Read a JSON file; undefined when it does not exist, an error when it is not JSON. */
export function readJsonFile<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return JSON.parse(text) as T;
}

/** Write a JSON file atomically (temp + fsync + rename + directory fsync), creating its directory. */
export function writeJsonFileAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 1), 0o600);
}
