import { GENESIS_PREV, type LedgerRecord } from './record';
import type { RecordProblem } from './problems';
import { recordShapeError } from './verify';

/** The last record known before the first one checked (after pruning: the pruned-through record). */
export interface ChainAnchor {
  seq: number;
  hash: string;
}

/** Options for a chain check. */
export interface ChainCheckerOptions {
  /** Start after this record instead of at seq 1 with the genesis prev. */
  anchor?: ChainAnchor;
  /** Per-record check (normally verifyRecord bound to keys and a verifier). */
  verifyRecord?: (record: unknown) => RecordProblem[];
}

type Link = { hash: string; prev: string };

/**
 * Checks a stream of records one at a time, in the order they are read or received: seq
 * continuity, `prev` links, duplicates (by seq and by session id) and, via `verifyRecord`,
 * each record's hash and signature. Gaps are only reported as 'deleted' by finish(), since a
 * later record may fill them (then it is 'reordered'). Memory grows with the number of session
 * ids seen (for duplicate detection), not with record size.
 */
export class ChainChecker {
  private highest: ChainAnchor | null = null;
  private readonly missing: Array<[number, number]> = [];
  private readonly neighbours = new Map<number, Link>();
  private readonly ids = new Map<string, number>();
  private count = 0;

  constructor(private readonly options: ChainCheckerOptions = {}) {}

  /** Number of records pushed. */
  get checked(): number {
    return this.count;
  }

  /** Highest seq seen so far (the anchor's before any record), or 0. */
  get lastSeq(): number {
    return this.highest?.seq ?? this.options.anchor?.seq ?? 0;
  }

  /** Seq ranges still missing, inclusive. */
  gaps(): Array<[number, number]> {
    return this.missing.map(([a, b]) => [a, b]);
  }

  /** Check the next record; returns the problems it shows (besides gaps, see finish()). */
  push(value: unknown): RecordProblem[] {
    this.count++;
    const problems = this.options.verifyRecord ? this.options.verifyRecord(value) : [];
    if (recordShapeError(value)) {
      if (!problems.some((p) => p.kind === 'malformed')) problems.push({ kind: 'malformed', seq: null, id: null, message: recordShapeError(value)! });
      return problems;
    }
    const rec = value as LedgerRecord;
    const at = { seq: rec.seq, id: rec.id };
    const prevSeq = this.ids.get(rec.id);
    if (prevSeq !== undefined && prevSeq !== rec.seq) problems.push({ kind: 'duplicated', ...at, message: `session ${rec.id} is already recorded at seq ${prevSeq}` });
    else this.ids.set(rec.id, rec.seq);
    const anchor = this.options.anchor;
    const last = this.highest ?? anchor ?? { seq: 0, hash: GENESIS_PREV };
    if (rec.seq === last.seq + 1) {
      if (rec.prev !== last.hash) problems.push({ kind: 'altered', ...at, message: last.seq === 0 ? 'first record does not start from the genesis prev' : `prev does not match the hash of seq ${last.seq}` });
      this.advance(rec);
    } else if (rec.seq > last.seq) {
      this.missing.push([last.seq + 1, rec.seq - 1]);
      this.neighbours.set(last.seq, { hash: last.hash, prev: '' });
      this.neighbours.set(rec.seq, { hash: rec.hash, prev: rec.prev });
      this.advance(rec);
    } else {
      const gapIndex = this.missing.findIndex(([a, b]) => rec.seq >= a && rec.seq <= b);
      if (gapIndex < 0) {
        problems.push({ kind: 'duplicated', ...at, message: rec.seq <= (anchor?.seq ?? 0) ? `seq ${rec.seq} is at or before the anchor seq ${anchor?.seq}` : `seq ${rec.seq} appears again` });
        return problems;
      }
      problems.push({ kind: 'reordered', ...at, message: `arrived after seq ${this.lastSeq}` });
      this.fillGap(gapIndex, rec, problems);
    }
    return problems;
  }

  /** Problems that only the end of the stream reveals: every seq still missing is 'deleted'. */
  finish(): RecordProblem[] {
    return this.missing.map(([a, b]) => ({
      kind: 'deleted' as const,
      seq: a,
      id: null,
      message: a === b ? `record seq ${a} is missing` : `records seq ${a}..${b} are missing (${b - a + 1})`,
    }));
  }

  private advance(rec: LedgerRecord): void {
    this.highest = { seq: rec.seq, hash: rec.hash };
  }

  private fillGap(index: number, rec: LedgerRecord, problems: RecordProblem[]): void {
    const [a, b] = this.missing[index];
    const parts: Array<[number, number]> = [];
    if (a <= rec.seq - 1) parts.push([a, rec.seq - 1]);
    if (rec.seq + 1 <= b) parts.push([rec.seq + 1, b]);
    this.missing.splice(index, 1, ...parts);
    const before = this.neighbours.get(rec.seq - 1);
    if (before && rec.prev !== before.hash) problems.push({ kind: 'altered', seq: rec.seq, id: rec.id, message: `prev does not match the hash of seq ${rec.seq - 1}` });
    const after = this.neighbours.get(rec.seq + 1);
    if (after && after.prev && after.prev !== rec.hash) problems.push({ kind: 'altered', seq: rec.seq + 1, id: null, message: `prev does not match the hash of seq ${rec.seq}` });
    this.neighbours.set(rec.seq, { hash: rec.hash, prev: rec.prev });
  }
}
