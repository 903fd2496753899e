// What the receiver knows of one station: the ids it stored (dedupe) and the chain so far.
import { ChainChecker } from '../../core/ledger/chain';
import type { RecordVerifier } from './verifier';
import type { JsonlStore } from './jsonl-store';
import type { ReceiverReport } from './receiver';
import { DEFAULT_WINDOW } from '../../core/sync/window';

/**
 * Default hold for a record ahead of a gap, ms: twice the station's ack timeout. A receiver that
 * joins late sees new records first and the station's backlog only when the station resends it,
 * which is up to one ack timeout later; a shorter hold reports gaps that are not there.
 */
export const DEFAULT_REORDER_WINDOW_MS = 2 * DEFAULT_WINDOW.ackTimeoutMs;

/** The decision about one arriving message. */
export interface Classified {
  /** store: append to the station file; reject: quarantine file; held: waiting for a gap to fill; duplicate / drop: nothing to write. */
  kind: 'store' | 'reject' | 'duplicate' | 'drop' | 'held';
  /** The exact line to write (the payload as received). */
  line: string;
  /** Id to acknowledge (absent when the message has no usable id). */
  ackId?: string;
  reports: ReceiverReport[];
}

/** Per-station dedupe set and chain checker, rebuilt from the station's files at start. */
export class StationState {
  private readonly ids = new Set<string>();
  private readonly rejectedIds = new Set<string>();
  private readonly chain = new ChainChecker();
  /** Records that arrived ahead of a gap, by seq, not yet stored nor acked. */
  private readonly held = new Map<number, { rec: Record<string, unknown>; line: string; id: string; sinceMs: number }>();
  /** When the chain last grew: while a backlog streams in, in seq order, nothing ahead of it is a gap yet. */
  private progressMs = -Infinity;

  /** Rebuild from what is already stored. */
  static load(store: JsonlStore, stationId: string): StationState {
    const s = new StationState();
    for (const rec of store.load(stationId, 'records')) {
      s.chain.push(rec);
      const id = (rec as { id?: unknown }).id;
      if (typeof id === 'string') s.ids.add(id);
    }
    for (const rec of store.load(stationId, 'rejected')) {
      const id = (rec as { id?: unknown }).id;
      if (typeof id === 'string') s.rejectedIds.add(id);
    }
    return s;
  }

  /** Records stored for this station. */
  get count(): number {
    return this.ids.size;
  }

  /**
   * Classify one message from `<prefix>/<topicStation>/sessions`. Duplicates are acked again
   * (the station resends until acked); records failing verification are quarantined and acked,
   * so they are kept for inspection without blocking the station's outbox forever.
   */
  classify(payload: Buffer, topicStation: string, verify: RecordVerifier, nowMs = 0, holdMs = 0): Classified {
    const base = { stationId: topicStation };
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) throw new Error('not an object');
    } catch {
      return { kind: 'drop', line: '', reports: [{ type: 'malformed', ...base, id: null, seq: null, message: 'not a JSON object' }] };
    }
    const id = typeof rec.id === 'string' && rec.id ? rec.id : null;
    const seq = Number.isSafeInteger(rec.seq) ? (rec.seq as number) : null;
    const at = { ...base, id, seq };
    if (!id) return { kind: 'drop', line: '', reports: [{ type: 'malformed', ...at, message: 'record without an id' }] };
    // Keep the bytes as received when they are one line; re-serialise only multi-line JSON.
    const text = payload.toString('utf8');
    const line = text.includes('\n') ? JSON.stringify(rec) : text;
    if (this.ids.has(id)) return { kind: 'duplicate', line, ackId: id, reports: [{ type: 'duplicate', ...at }] };
    if (seq !== null && this.held.get(seq)?.id === id) return { kind: 'held', line: '', reports: [] };
    if (this.rejectedIds.has(id)) return { kind: 'duplicate', line, ackId: id, reports: [{ type: 'duplicate', ...at, message: 'already quarantined' }] };
    const problems = verify(rec);
    if (rec.stationId !== topicStation) problems.push({ kind: 'malformed', seq, id, message: `stationId "${String(rec.stationId)}" does not match the topic` });
    if (problems.length > 0) {
      this.rejectedIds.add(id);
      return { kind: 'reject', line, ackId: id, reports: problems.map((p) => ({ type: 'rejected' as const, ...at, message: `${p.kind}: ${p.message}` })) };
    }
    if (holdMs > 0 && seq !== null && seq > this.chain.lastSeq + 1 && !this.held.has(seq)) {
      // Ahead of a gap: brokers do not keep order between queued and live messages, and the
      // station resends from its oldest unacked record, so the gap normally fills within seconds.
      this.held.set(seq, { rec, line, id, sinceMs: nowMs });
      return { kind: 'held', line: '', reports: [] };
    }
    this.progressMs = nowMs;
    return this.accept(rec, line, id, at);
  }

  /**
   * Records now due out of the hold: those that continue the chain, and, once the lowest has
   * waited `holdMs` AND the chain has not grown for `holdMs` (no backlog is streaming in, in seq
   * order), the lowest one regardless (the gap is then reported).
   */
  release(nowMs: number, holdMs: number): Classified[] {
    const out: Classified[] = [];
    while (this.held.size > 0) {
      let next = this.held.get(this.chain.lastSeq + 1);
      if (!next) {
        const lowest = Math.min(...this.held.keys());
        const h = this.held.get(lowest)!;
        if (nowMs - Math.max(h.sinceMs, this.progressMs) < holdMs) break;
        next = h;
      }
      const seq = next.rec.seq as number;
      this.held.delete(seq);
      if (this.ids.has(next.id)) continue;
      out.push(this.accept(next.rec, next.line, next.id, { stationId: String(next.rec.stationId), id: next.id, seq }));
    }
    return out;
  }

  private accept(rec: Record<string, unknown>, line: string, id: string, at: { stationId: string; id: string | null; seq: number | null }): Classified {
    const seq = at.seq;
    const reports: ReceiverReport[] = [];
    const before = this.chain.lastSeq;
    if (seq !== null && seq > before + 1) reports.push({ type: 'gap', ...at, message: `records seq ${before + 1}..${seq - 1} missing before seq ${seq}` });
    for (const p of this.chain.push(rec)) reports.push({ type: p.kind === 'reordered' ? 'reordered' : 'chain', ...at, message: `${p.kind}: ${p.message}` });
    this.ids.add(id);
    reports.push({ type: 'stored', ...at });
    return { kind: 'store', line, ackId: id, reports };
  }
}
