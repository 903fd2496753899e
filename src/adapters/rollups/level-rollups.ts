// Rollups persisted in the ledger's LevelDB (sublevel "rollup"), updated in the same atomic
// batch as each appended record (LedgerStore.extraOps), rebuilt from the records on demand
// or when the stored rollups lag behind the ledger (first install, time-zone change).
import type { LedgerRecord } from '../../core/ledger/record';
import { RollupState, type RollupChange, type RollupLevel, type RollupPeriod, type RollupRow, type RollupStats } from '../../core/rollup';
import type { BatchOp, Sub } from '../store/layout';
import type { ExtraOpsHook, LedgerStore } from '../store/ledger-store';
import { prunedAnchor, recordTexts } from '../store/query';

/** Sublevel name of the rollups in the station database. */
export const ROLLUP_SUBLEVEL = 'rollup';
const CELL = 'c|';
const KNOWN = 'k|';
const META_SEQ = 'm|seq';
const META_TZ = 'm|tz';
/** Cells per catch-up batch, so a rebuild of a big ledger does not build one huge batch. */
const BATCH_CELLS = 2000;

/** Rollups of one station ledger, kept in memory and in LevelDB. */
export class LevelRollups {
  state: RollupState;
  private readonly sub: Sub;
  private pending: { id: string; seq: number; change: RollupChange } | null = null;
  private attached = false;
  private readonly hook: ExtraOpsHook = (record) => this.planOps(record);
  private readonly onAppended = (record: LedgerRecord): void => {
    if (this.pending?.id === record.id) this.state.apply(this.pending.change);
    this.pending = null;
  };

  constructor(private readonly store: LedgerStore, readonly tz = 'UTC') {
    this.state = new RollupState(tz);
    this.sub = store.sublevel(ROLLUP_SUBLEVEL);
  }

  private changeOps(change: RollupChange, seq: number): BatchOp[] {
    const ops: BatchOp[] = [];
    for (const [k, v] of change.cells) ops.push({ type: 'put', sublevel: this.sub, key: CELL + k, value: JSON.stringify(v) });
    for (const [e, list] of Object.entries(change.known)) ops.push({ type: 'put', sublevel: this.sub, key: KNOWN + e, value: JSON.stringify(list) });
    ops.push({ type: 'put', sublevel: this.sub, key: META_SEQ, value: String(seq) });
    return ops;
  }

  private planOps(record: LedgerRecord): BatchOp[] {
    const change = this.state.plan({ session: record.session, pricing: record.pricing });
    // Applied to memory only once the batch is durable ('appended'), so a failed write changes nothing.
    this.pending = { id: record.id, seq: record.seq, change };
    return this.changeOps(change, record.seq);
  }

  private async loadState(): Promise<number> {
    const state = new RollupState(this.tz);
    let seq = 0;
    let tz: string | undefined;
    for await (const [key, value] of this.sub.iterator()) {
      if (key.startsWith(CELL)) state.cells.set(key.slice(CELL.length), JSON.parse(value) as RollupStats);
      else if (key.startsWith(KNOWN)) state.known[key.slice(KNOWN.length)] = JSON.parse(value) as string[];
      else if (key === META_SEQ) seq = Number(value);
      else if (key === META_TZ) tz = value;
    }
    if (tz !== undefined && tz !== this.tz) return -1; // rollups bucketed in another zone: rebuild
    this.state = state;
    return seq;
  }

  /** Replay records after `fromSeq` into memory and the database (caller holds the store lock). */
  private async replay(fromSeq: number): Promise<number> {
    let n = 0;
    let dirty: RollupChange = { cells: new Map(), known: {} };
    let lastSeq = fromSeq;
    const flush = async (): Promise<void> => {
      await this.store.writeBatch([...this.changeOps(dirty, lastSeq), { type: 'put', sublevel: this.sub, key: META_TZ, value: this.tz }]);
      dirty = { cells: new Map(), known: {} };
    };
    for await (const { seq, text } of recordTexts(this.store, fromSeq + 1)) {
      const rec = JSON.parse(text) as LedgerRecord;
      const change = this.state.plan({ session: rec.session, pricing: rec.pricing });
      this.state.apply(change);
      for (const [k, v] of change.cells) dirty.cells.set(k, v);
      Object.assign(dirty.known, change.known);
      lastSeq = seq;
      n++;
      if (dirty.cells.size >= BATCH_CELLS) await flush();
    }
    await flush();
    return n;
  }

  private async clear(): Promise<void> {
    await this.sub.clear();
    this.state = new RollupState(this.tz);
  }

  /** Load stored rollups, catch up with records appended meanwhile, then follow every append. */
  attach(): Promise<void> {
    return this.store.exclusive(async () => {
      if (this.attached) return;
      const seq = await this.loadState();
      if (seq < 0) await this.clear();
      await this.replay(Math.max(0, seq));
      this.store.extraOps.push(this.hook);
      this.store.on('appended', this.onAppended);
      this.attached = true;
    });
  }

  /** Stop following appends (the stored rollups stay). */
  detach(): void {
    const i = this.store.extraOps.indexOf(this.hook);
    if (i >= 0) this.store.extraOps.splice(i, 1);
    this.store.off('appended', this.onAppended);
    this.attached = false;
  }

  /**
   * Drop the stored rollups and recompute them from the ledger's records; resolves to the record
   * count. Refused on a pruned ledger unless forced: pruned records' rollups would be lost.
   */
  rebuild(opts: { force?: boolean } = {}): Promise<number> {
    return this.store.exclusive(async () => {
      const pruned = await prunedAnchor(this.store);
      if (pruned && !opts.force) throw new Error(`the ledger was pruned up to seq ${pruned.seq}: a rebuild would lose those records' rollups (force it to proceed)`);
      await this.clear();
      return this.replay(0);
    });
  }

  /** Report rows for a level and period (connector rows carry underperforming flags). */
  rows(level: RollupLevel, period: RollupPeriod): RollupRow[] {
    return this.state.rows(level, period);
  }
}

const shared = new WeakMap<LedgerStore, Map<string, { rollups: LevelRollups; users: number }>>();

/** One LevelRollups per store and zone in this process; pair with releaseRollups. */
export function acquireRollups(store: LedgerStore, tz = 'UTC'): LevelRollups {
  let byTz = shared.get(store);
  if (!byTz) shared.set(store, (byTz = new Map()));
  let entry = byTz.get(tz);
  if (!entry) byTz.set(tz, (entry = { rollups: new LevelRollups(store, tz), users: 0 }));
  entry.users++;
  return entry.rollups;
}

/** Release one use; the last user detaches the rollups from the store. */
export function releaseRollups(rollups: LevelRollups, store: LedgerStore): void {
  const entry = shared.get(store)?.get(rollups.tz);
  if (!entry || entry.rollups !== rollups) return;
  if (--entry.users > 0) return;
  rollups.detach();
  shared.get(store)?.delete(rollups.tz);
}
