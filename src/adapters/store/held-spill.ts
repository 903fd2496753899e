// A bounded spill file for finished sessions the ledger cannot write (disk full): JSON lines, fsync'd,
// on a second filesystem, read back on the next start so a crash while the disk is full loses nothing.
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** One spilled entry: a finished session and what the record node appends with it. */
export interface SpilledEntry {
  session: { id: string };
  pricing?: unknown;
  tariffHash?: string;
}

/** The spill file of one record node. */
export class HeldSpill {
  constructor(
    readonly file: string,
    readonly maxBytes: number,
  ) {}

  /** Append one entry as a JSON line and fsync it; false (nothing written) when the spill would exceed its bound. */
  async add(entry: SpilledEntry): Promise<boolean> {
    const line = `${JSON.stringify(entry)}\n`;
    const size = await fs.stat(this.file).then((s) => s.size, () => 0);
    if (size + Buffer.byteLength(line) > this.maxBytes) return false;
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const fh = await fs.open(this.file, 'a');
    try {
      await fh.appendFile(line);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  }

  /** Every spilled entry in order, deduplicated by session id; a torn or unreadable line (crash mid-write) is counted and skipped. */
  async load(): Promise<{ entries: SpilledEntry[]; bad: number }> {
    const text = await fs.readFile(this.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return '';
      throw e;
    });
    const byId = new Map<string, SpilledEntry>();
    let bad = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as SpilledEntry;
        if (!e || typeof e.session?.id !== 'string') throw new Error('no session id');
        if (!byId.has(e.session.id)) byId.set(e.session.id, e);
      } catch {
        bad++;
      }
    }
    return { entries: [...byId.values()], bad };
  }

  /** Remove the spill once every entry in it is in the ledger. */
  async clear(): Promise<void> {
    await fs.rm(this.file, { force: true });
  }
}
