import type { LedgerRecord } from '../../core/ledger/record';
import type { ChainAnchor } from '../../core/ledger/chain';
import { SEP, SUBLEVELS, seqKey, timeKey } from './layout';
import type { LedgerStore } from './ledger-store';

/** Every stored record's JSON text in seq order, from `fromSeq` on (streams; constant memory). */
export async function* recordTexts(store: LedgerStore, fromSeq = 1): AsyncGenerator<{ seq: number; text: string }> {
  await store.ready;
  for await (const [key, text] of store.sublevel(SUBLEVELS.records).iterator({ gte: seqKey(fromSeq) })) yield { seq: Number(key), text };
}

/** Records whose session ended at or after `sinceIso`, in end-time order. */
export async function* recordsSince(store: LedgerStore, sinceIso: string): AsyncGenerator<LedgerRecord> {
  await store.ready;
  const recs = store.sublevel(SUBLEVELS.records);
  for await (const key of store.sublevel(SUBLEVELS.byTime).keys({ gte: timeKey(sinceIso) })) {
    const text = await recs.get(key.slice(key.indexOf(SEP) + 1));
    if (text !== undefined) yield JSON.parse(text) as LedgerRecord;
  }
}

/** Records of one connector, in seq order. */
export async function* recordsOfConnector(store: LedgerStore, connectorId: string): AsyncGenerator<LedgerRecord> {
  await store.ready;
  const recs = store.sublevel(SUBLEVELS.records);
  const prefix = `${connectorId}${SEP}`;
  for await (const key of store.sublevel(SUBLEVELS.byConnector).keys({ gte: prefix, lt: `${prefix}\uffff` })) {
    const text = await recs.get(key.slice(prefix.length));
    if (text !== undefined) yield JSON.parse(text) as LedgerRecord;
  }
}

/** The last record removed by pruning (the chain's anchor), if any were pruned. */
export async function prunedAnchor(store: LedgerStore): Promise<ChainAnchor | undefined> {
  await store.ready;
  const text = await store.sublevel(SUBLEVELS.meta).get('pruned');
  return text ? (JSON.parse(text) as ChainAnchor) : undefined;
}

/** Whether a record has been acknowledged by the backend. */
export async function isSynced(store: LedgerStore, seq: number): Promise<boolean> {
  await store.ready;
  return (await store.sublevel(SUBLEVELS.synced).get(seqKey(seq))) !== undefined;
}
