import type { LedgerRecord } from '../../core/ledger/record';
import { SEP, SUBLEVELS, timeKey, type BatchOp } from './layout';
import type { LedgerStore } from './ledger-store';

/** What a prune pass removed. */
export interface PruneResult {
  removed: number;
  /** Seq of the last record removed (the new chain anchor), or null. */
  throughSeq: number | null;
}

/**
 * Remove synced records created before `cutoffMs`, oldest first, in batches. Stops at the first
 * record that is unsynced or too young, so the kept records stay one contiguous chain whose
 * anchor ('pruned' in meta: seq and hash of the last removed record) lets verifiers check it.
 * Unsynced records are never removed.
 */
export async function pruneSynced(store: LedgerStore, cutoffMs: number, batchSize = 500): Promise<PruneResult> {
  let removed = 0;
  let throughSeq: number | null = null;
  for (;;) {
    const n = await store.exclusive(async () => {
      const recs = store.sublevel(SUBLEVELS.records);
      const synced = store.sublevel(SUBLEVELS.synced);
      const outbox = store.sublevel(SUBLEVELS.outbox);
      const ops: BatchOp[] = [];
      let last: LedgerRecord | null = null;
      for await (const [key, text] of recs.iterator({ limit: batchSize })) {
        if ((await synced.get(key)) === undefined || (await outbox.get(key)) !== undefined) break;
        const rec = JSON.parse(text) as LedgerRecord;
        if (Date.parse(rec.createdAt) >= cutoffMs) break;
        ops.push(
          { type: 'del', sublevel: recs, key },
          { type: 'del', sublevel: synced, key },
          { type: 'del', sublevel: store.sublevel(SUBLEVELS.bySession), key: rec.id },
          { type: 'del', sublevel: store.sublevel(SUBLEVELS.byTime), key: `${timeKey(rec.session.endTime)}${SEP}${key}` },
          { type: 'del', sublevel: store.sublevel(SUBLEVELS.byConnector), key: `${rec.session.connectorId}${SEP}${key}` },
        );
        last = rec;
      }
      if (!last) return 0;
      ops.push({ type: 'put', sublevel: store.sublevel(SUBLEVELS.meta), key: 'pruned', value: JSON.stringify({ seq: last.seq, hash: last.hash }) });
      await store.writeBatch(ops);
      throughSeq = last.seq;
      return (ops.length - 1) / 5;
    });
    removed += n;
    if (n < batchSize) return { removed, throughSeq };
  }
}

