// Append-only JSON-lines files per station, fsynced before the receiver acks anything.
import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync, existsSync } from 'node:fs';
import path from 'node:path';

/** Which file of a station: accepted records, or those quarantined for a bad signature. */
export type StoreFile = 'records' | 'rejected';

/** Station id → safe file stem (station ids are single topic levels, but keep paths tame). */
function stem(stationId: string): string {
  return encodeURIComponent(stationId).replace(/\./g, '%2E');
}

/** The path of a station's file. */
export function storePath(outDir: string, stationId: string, file: StoreFile): string {
  return path.join(outDir, `${stem(stationId)}${file === 'records' ? '' : '.rejected'}.jsonl`);
}

/** Open append-only files, written and fsynced in batches (group commit). */
export class JsonlStore {
  private readonly fds = new Map<string, number>();

  constructor(private readonly outDir: string) {
    mkdirSync(outDir, { recursive: true });
  }

  /**
   * Read a station file's lines (parsed). A torn last line (a crash mid-write) is cut off so the
   * next append starts on a clean line; a corrupt line elsewhere is an error.
   */
  load(stationId: string, file: StoreFile): unknown[] {
    const p = storePath(this.outDir, stationId, file);
    if (!existsSync(p)) return [];
    const text = readFileSync(p, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) {
      const fd = openSync(p, 'r+');
      try {
        ftruncateSync(fd, Buffer.byteLength(text.slice(0, end)));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    return text
      .slice(0, end)
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l, i) => {
        try {
          return JSON.parse(l) as unknown;
        } catch {
          throw new Error(`${p}: line ${i + 1} is not JSON`);
        }
      });
  }

  /** Append lines to a station file and fsync; resolves only once they are durable. */
  append(stationId: string, file: StoreFile, lines: string[]): void {
    if (lines.length === 0) return;
    const key = `${stationId}\u0000${file}`;
    let fd = this.fds.get(key);
    if (fd === undefined) {
      const p = storePath(this.outDir, stationId, file);
      const created = !existsSync(p);
      fd = openSync(p, 'a');
      this.fds.set(key, fd);
      // A new file's directory entry must be durable too, or an fsynced record could vanish.
      if (created) fsyncDir(this.outDir);
    }
    const buf = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off);
    fsyncSync(fd);
  }

  /** Close every file. */
  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
