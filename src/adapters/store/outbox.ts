import type { Outbox, OutboxEntry } from '../ports';
import { SUBLEVELS, seqKey, type BatchOp } from './layout';
import type { LedgerStore } from './ledger-store';

/**
 * The LevelDB outbox: entries are written in the record's own append batch and leave only on
 * the backend's ack, when the record moves to the synced index (in one batch).
 */
export class LevelOutbox implements Outbox {
  constructor(private readonly store: LedgerStore) {}

  /** Up to `limit` unacknowledged records with seq > afterSeq, ascending, with their exact JSON. */
  async peek(limit: number, afterSeq = 0): Promise<OutboxEntry[]> {
    await this.store.ready;
    if (limit <= 0) return [];
    const out: OutboxEntry[] = [];
    const iter = this.store.sublevel(SUBLEVELS.outbox).iterator({ gt: seqKey(afterSeq), limit });
    for await (const [key, id] of iter) {
      const payload = await this.store.sublevel(SUBLEVELS.records).get(key);
      if (payload !== undefined) out.push({ id, seq: Number(key), payload });
    }
    return out;
  }

  /** Acknowledge record ids: each moves from the outbox to the synced index. Unknown ids are ignored. */
  ack(ids: string[]): Promise<number> {
    return this.store.exclusive(async () => {
      const bySession = this.store.sublevel(SUBLEVELS.bySession);
      const outbox = this.store.sublevel(SUBLEVELS.outbox);
      const ops: BatchOp[] = [];
      const done = new Set<string>();
      const ackedAt = new Date().toISOString();
      for (const id of ids) {
        if (done.has(id)) continue;
        done.add(id);
        const key = await bySession.get(id);
        if (key === undefined || (await outbox.get(key)) === undefined) continue;
        ops.push({ type: 'del', sublevel: outbox, key });
        ops.push({ type: 'put', sublevel: this.store.sublevel(SUBLEVELS.synced), key, value: ackedAt });
      }
      if (ops.length === 0) return 0;
      await this.store.writeBatch(ops);
      this.store.noteAcked(ops.length / 2);
      return ops.length / 2;
    });
  }

  /** Number of entries waiting. */
  size(): Promise<number> {
    return this.store.outboxSize();
  }
}
