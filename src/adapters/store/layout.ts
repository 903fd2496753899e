// Key layout of the station's LevelDB: one sublevel per concern, seq keys zero-padded so that
// lexicographic order is numeric order.
import type { AbstractBatchOperation, AbstractSublevel } from 'abstract-level';
import type { Level } from 'level';

/** The root database: string keys and string values (records are stored as their exact JSON). */
export type Db = Level<string, string>;
/** A sublevel of the root database. */
export type Sub = AbstractSublevel<Db, string | Buffer | Uint8Array, string, string>;
/** One operation of an atomic batch on the root database (may target any sublevel). */
export type BatchOp = AbstractBatchOperation<Db, string, string>;

/** Zero-padded seq: 15 digits cover every safe integer we will ever reach. */
export function seqKey(seq: number): string {
  return String(seq).padStart(15, '0');
}

/** Separator inside composite index keys; sorts before every printable character. */
export const SEP = '\u0000';

/** Sublevel names. */
export const SUBLEVELS = {
  records: 'rec', // seqKey → record JSON, exactly as published
  bySession: 'sid', // session id → seqKey (dedupe)
  byTime: 'ixt', // endTime ISO + SEP + seqKey → ''
  byConnector: 'ixc', // connectorId + SEP + seqKey → ''
  outbox: 'out', // seqKey → session id: not yet acknowledged (sync state "pending")
  synced: 'syn', // seqKey → ack time ISO (sync state "synced")
  checkpoints: 'ckpt', // session id → checkpoint JSON
  meta: 'meta', // 'head' → {seq, hash}; 'pruned' → {seq, hash}
} as const;

/** Canonical ISO form used in time-index keys (so that keys sort chronologically). */
export function timeKey(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '0000-00-00T00:00:00.000Z' : new Date(ms).toISOString();
}
