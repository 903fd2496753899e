import { EventEmitter } from 'node:events';
import { statfs } from 'node:fs/promises';
import { Level } from 'level';
import type { Session } from '../../core/types';
import { GENESIS_PREV, type LedgerRecord } from '../../core/ledger/record';
import type { ChainAnchor } from '../../core/ledger/chain';
import { SEP, SUBLEVELS, seqKey, timeKey, type BatchOp, type Db, type Sub } from './layout';
import { Mutex } from './mutex';

/** Seals a record for the next seq: builds the OCMF payload, signs and hashes (see core/ledger/record). */
/**
 * Whether an open failed because another process (Node-RED) holds the database. Why not the
 * message: level reports "Database failed to open" and puts the LevelDB lock error in `cause`.
 */
export function isLockedError(e: unknown): boolean {
  for (let err = e as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; err && depth < 4; err = err.cause as typeof err, depth++) {
    if (err.code === 'LEVEL_LOCKED' || (typeof err.message === 'string' && /\block\b/i.test(err.message))) return true;
  }
  return false;
}

export type Sealer = (input: { session: Session; pricing?: unknown; tariffHash?: string; seq: number; prev: string; createdAt: string }) => LedgerRecord;

/** Adds operations to an append's batch (PRICING's rollups); must not throw for valid records. */
export type ExtraOpsHook = (record: LedgerRecord) => BatchOp[];

/** Extras that travel with a session into its record. */
export interface AppendExtras {
  pricing?: unknown;
  tariffHash?: string;
}

/** Per-call append options. */
export interface AppendOptions {
  /** Extra batch operations for this append only (in addition to the registered hooks). */
  extraOps?: ExtraOpsHook;
}

/** The outcome of an append: the record stored for the session, and whether it already existed. */
export interface AppendResult {
  record: LedgerRecord;
  duplicate: boolean;
}

/** A batch the database could not write (disk full, I/O error); nothing of it counts as stored. */
export class LedgerWriteError extends Error {
  constructor(override readonly cause: Error) {
    super(`ledger write failed: ${cause.message}`);
    this.name = 'LedgerWriteError';
  }

  /** Whether the cause is a full disk (or a file size limit). */
  get diskFull(): boolean {
    const text = `${this.cause.message} ${String((this.cause as { cause?: unknown }).cause ?? '')}`;
    return /ENOSPC|No space left|EFBIG|File too large/i.test(text);
  }
}

/** Store options. */
export interface LedgerStoreOptions {
  /** Signs records; needed for append only (read-only users such as the CLI leave it out). */
  sealer?: Sealer;
  /** fsync every write batch (default true: a finished session survives a power cut). */
  sync?: boolean;
  /** Wall clock, ms since the epoch (injectable for tests). */
  now?: () => number;
  /** Free bytes needed before reopening after a failed write (default 1 MiB). */
  minFreeBytesToReopen?: number;
  /** Open only after this settles (the previous owner of the same database closing). */
  openAfter?: Promise<unknown>;
}

/**
 * The station's LevelDB: records and their indexes, the outbox, session checkpoints and any
 * sublevels other teams add (rollups). Every multi-key change is one atomic batch. Methods wait
 * for the database to be open. Emits 'appended' (record) after each durable append.
 */
export class LedgerStore extends EventEmitter {
  /** The root database: other adapters may add sublevels via `sublevel()`, and ops via `extraOps`. */
  readonly db: Db;
  /** Hooks adding operations to every append batch, in registration order. */
  readonly extraOps: ExtraOpsHook[] = [];
  private opening: Promise<void>;
  private readonly subs = new Map<string, Sub>();
  private readonly writes = new Mutex();
  private head: ChainAnchor = { seq: 0, hash: GENESIS_PREV };
  private outboxCount = 0;
  private needsReopen = false;
  private closed = false;
  private sealer: Sealer | undefined;

  constructor(readonly location: string, private readonly options: LedgerStoreOptions = {}) {
    super();
    this.sealer = options.sealer;
    this.db = new Level<string, string>(location, { valueEncoding: 'utf8' });
    this.opening = (options.openAfter ?? Promise.resolve()).catch(() => undefined).then(() => this.load());
    this.opening.catch(() => undefined); // callers see the error through their own awaits
  }

  /** Resolves once the database is open (rejects while it cannot be opened, e.g. locked by another process). */
  get ready(): Promise<void> {
    return this.opening;
  }

  /** Set or replace the record sealer (after a key rotation, for example). */
  setSealer(sealer: Sealer): void {
    this.sealer = sealer;
  }

  /** A sublevel of the root database, reopened with it after a write failure. */
  sublevel(name: string): Sub {
    let sub = this.subs.get(name);
    if (!sub) {
      sub = this.db.sublevel<string, string>(name, { valueEncoding: 'utf8' }) as Sub;
      this.subs.set(name, sub);
    }
    return sub;
  }

  /** The last record's seq and hash (seq 0 and the genesis hash when empty). */
  async getHead(): Promise<ChainAnchor> {
    await this.ready;
    return { ...this.head };
  }

  /** Number of records waiting for the backend's acknowledgement. */
  async outboxSize(): Promise<number> {
    await this.ready;
    return this.outboxCount;
  }

  private async load(): Promise<void> {
    await this.db.open();
    for (const name of Object.values(SUBLEVELS)) this.sublevel(name);
    for (const sub of this.subs.values()) if (sub.status !== 'open') await sub.open();
    const head = await this.sublevel(SUBLEVELS.meta).get('head');
    this.head = head ? (JSON.parse(head) as ChainAnchor) : { seq: 0, hash: GENESIS_PREV };
    let n = 0;
    for await (const _key of this.sublevel(SUBLEVELS.outbox).keys()) {
      void _key;
      n++;
    }
    this.outboxCount = n;
  }

  /**
   * LevelDB refuses every write after a failed log write (such as ENOSPC) until it is reopened,
   * and the failed batch may or may not be in the log: reopen and re-read the head from disk.
   */
  private async recover(): Promise<void> {
    if (!this.needsReopen) return;
    // Reopening replays the log into a new table file: on a still-full disk that fails and would
    // leave the database closed for reads too. Wait for space while keeping it open for reads.
    const fs = await statfs(this.location).catch(() => null);
    const minFree = this.options.minFreeBytesToReopen ?? 1024 * 1024;
    if (fs && fs.bavail * fs.bsize < minFree) {
      throw new LedgerWriteError(new Error(`ENOSPC: no space left on device (${fs.bavail * fs.bsize} bytes free, waiting for ${minFree})`));
    }
    const attempt = this.db.close().then(() => this.load());
    try {
      await attempt;
    } catch (e) {
      throw new LedgerWriteError(e instanceof Error ? e : new Error(String(e)));
    }
    this.opening = attempt;
    this.needsReopen = false;
  }

  /** Run a write under the store's lock, recovering from an earlier write failure first. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.writes.run(async () => {
      if (this.closed) throw new Error('ledger store is closed');
      // An open that failed (locked, disk full) is retried here, so writers hold and retry.
      if (await this.opening.then(() => false, () => true)) this.needsReopen = true;
      await this.recover();
      return task();
    });
  }

  /** Write one batch (fsync'd unless the store was opened with sync false). */
  async writeBatch(ops: BatchOp[]): Promise<void> {
    try {
      await this.db.batch(ops, { sync: this.options.sync ?? true });
    } catch (e) {
      this.needsReopen = true;
      throw new LedgerWriteError(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /**
   * Seal and store a finished session in ONE batch: the record, its time/connector/session-id
   * indexes, its outbox entry, the new head, every extraOps hook's operations, and the deletion
   * of the session's checkpoint. A session id already stored returns that record and writes nothing.
   */
  append(session: Session, extras: AppendExtras = {}, opts: AppendOptions = {}): Promise<AppendResult> {
    return this.exclusive(async () => {
      const existing = await this.getBySessionId(session.id);
      if (existing) return { record: existing, duplicate: true };
      if (!this.sealer) throw new Error('ledger store has no signing key');
      const seq = this.head.seq + 1;
      const record = this.sealer({ session, ...extras, seq, prev: this.head.hash, createdAt: new Date((this.options.now ?? Date.now)()).toISOString() });
      const key = seqKey(seq);
      const s = (name: string): Sub => this.sublevel(name);
      const ops: BatchOp[] = [
        { type: 'put', sublevel: s(SUBLEVELS.records), key, value: JSON.stringify(record) },
        { type: 'put', sublevel: s(SUBLEVELS.bySession), key: session.id, value: key },
        { type: 'put', sublevel: s(SUBLEVELS.byTime), key: `${timeKey(session.endTime)}${SEP}${key}`, value: '' },
        { type: 'put', sublevel: s(SUBLEVELS.byConnector), key: `${session.connectorId}${SEP}${key}`, value: '' },
        { type: 'put', sublevel: s(SUBLEVELS.outbox), key, value: session.id },
        { type: 'put', sublevel: s(SUBLEVELS.meta), key: 'head', value: JSON.stringify({ seq, hash: record.hash }) },
        { type: 'del', sublevel: s(SUBLEVELS.checkpoints), key: session.id },
      ];
      for (const hook of this.extraOps) ops.push(...hook(record));
      if (opts.extraOps) ops.push(...opts.extraOps(record));
      await this.writeBatch(ops);
      this.head = { seq, hash: record.hash };
      this.outboxCount++;
      this.emit('appended', record);
      return { record, duplicate: false };
    });
  }

  /** The record stored for a session id, if any. */
  async getBySessionId(id: string): Promise<LedgerRecord | undefined> {
    await this.ready;
    const key = await this.sublevel(SUBLEVELS.bySession).get(id);
    if (key === undefined) return undefined;
    const text = await this.sublevel(SUBLEVELS.records).get(key);
    return text === undefined ? undefined : (JSON.parse(text) as LedgerRecord);
  }

  /** The stored JSON text of a record (exactly as published), by seq. */
  async getRecordText(seq: number): Promise<string | undefined> {
    await this.ready;
    return this.sublevel(SUBLEVELS.records).get(seqKey(seq));
  }

  /** Outbox bookkeeping for LevelOutbox: adjust the in-memory count after an ack batch. */
  noteAcked(n: number): void {
    this.outboxCount -= n;
  }

  /** Close the database for good (pending writes finish first). */
  async close(): Promise<void> {
    await this.writes.run(async () => {
      this.closed = true;
      await this.ready.catch(() => undefined);
      await this.db.close();
    });
  }
}
