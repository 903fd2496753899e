// Small durable JSON files (the tariff config node's backend overrides and price feed):
// written to a temp file, fsync'd, then renamed, so a power cut leaves the old or the new file.
import fs from 'node:fs';
import path from 'node:path';

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

/** Write a JSON file atomically (temp + fsync + rename), creating its directory. */
export function writeJsonFileAtomic(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(value, null, 1));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
