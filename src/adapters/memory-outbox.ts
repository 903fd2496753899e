// In-memory Outbox for tests and benchmarks (the station's real one lives in LevelDB).
import type { Outbox, OutboxEntry } from './ports';

/** An Outbox held in a sorted array; add() plays the role of the ledger's append batch. */
export class MemoryOutbox implements Outbox {
  private entries: OutboxEntry[] = [];
  private readonly ids = new Set<string>();

  /** Append entries (each seq above every stored seq; an id already present is ignored). */
  async add(entries: OutboxEntry[]): Promise<void> {
    for (const e of entries) {
      if (this.ids.has(e.id)) continue;
      const last = this.entries[this.entries.length - 1];
      if (last && e.seq <= last.seq) throw new Error(`outbox seq must increase: ${e.seq} after ${last.seq}`);
      this.entries.push({ id: e.id, seq: e.seq, payload: e.payload });
      this.ids.add(e.id);
    }
  }

  /** Up to `limit` entries with seq greater than `afterSeq`, ascending. */
  async peek(limit: number, afterSeq = 0): Promise<OutboxEntry[]> {
    // Binary search for the first seq > afterSeq: the backlog may hold 100,000 entries.
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid]!.seq <= afterSeq) lo = mid + 1;
      else hi = mid;
    }
    return this.entries.slice(lo, lo + Math.max(0, limit)).map((e) => ({ ...e }));
  }

  /** Remove acknowledged ids; unknown ids are ignored. */
  async ack(ids: string[]): Promise<number> {
    const gone = new Set(ids.filter((id) => this.ids.has(id)));
    if (gone.size === 0) return 0;
    this.entries = this.entries.filter((e) => !gone.has(e.id));
    for (const id of gone) this.ids.delete(id);
    return gone.size;
  }

  /** Number of entries waiting. */
  async size(): Promise<number> {
    return this.entries.length;
  }
}
