// The send window of the outbox pump: which records go out next, which wait for the backend's
// ack, and which are due again. Pure: the adapter supplies the clock and does the publishing.

/** An outbox entry as the window sees it (structurally the Outbox port's OutboxEntry). */
export interface OutboxEntry {
  id: string;
  seq: number;
  payload: string;
}

/** Window tuning. */
export interface WindowOptions {
  /** Most records published but not yet acknowledged by the backend. */
  maxInFlight: number;
  /** Records fetched from the outbox per read. */
  batchSize: number;
  /** A record not acknowledged this long after its last publication is sent again, ms. */
  ackTimeoutMs: number;
}

/** Defaults suited to a mobile uplink. */
export const DEFAULT_WINDOW: WindowOptions = { maxInFlight: 200, batchSize: 100, ackTimeoutMs: 30_000 };

/** A published record waiting for its ack. */
export interface InFlight extends OutboxEntry {
  /** When it was last published, ms (the adapter's clock). */
  sentAtMs: number;
  /** Publications so far. */
  attempts: number;
}

/**
 * Tracks records in flight in sequence order. A record leaves the window only through acked():
 * a PUBACK means only that the broker has it, never that the backend stored it.
 */
export class SendWindow {
  private readonly inflight = new Map<string, InFlight>();
  /** Highest seq handed out since the last reset; the next read starts after it. */
  private cursorSeq = 0;

  constructor(readonly opts: WindowOptions = DEFAULT_WINDOW) {
    if (opts.maxInFlight < 1 || opts.batchSize < 1 || opts.ackTimeoutMs <= 0) throw new Error('window sizes and ack timeout must be positive');
  }

  /** Records in flight. */
  get size(): number {
    return this.inflight.size;
  }

  /** The next outbox read, or null when the window is full. */
  nextRead(): { limit: number; afterSeq: number } | null {
    const room = this.opts.maxInFlight - this.inflight.size;
    return room > 0 ? { limit: Math.min(room, this.opts.batchSize), afterSeq: this.cursorSeq } : null;
  }

  /** Take entries read from the outbox into the window (ascending seq); returns those to publish now. */
  admit(entries: OutboxEntry[], nowMs: number): InFlight[] {
    const out: InFlight[] = [];
    for (const e of entries) {
      if (e.seq <= this.cursorSeq || this.inflight.has(e.id)) continue;
      if (this.inflight.size >= this.opts.maxInFlight) break;
      const f: InFlight = { id: e.id, seq: e.seq, payload: e.payload, sentAtMs: nowMs, attempts: 1 };
      this.inflight.set(e.id, f);
      this.cursorSeq = e.seq;
      out.push(f);
    }
    return out;
  }

  /** The backend acknowledged these ids; returns how many were in flight. */
  acked(ids: string[]): number {
    let n = 0;
    for (const id of ids) if (this.inflight.delete(id)) n++;
    return n;
  }

  /** Records whose ack timed out, lowest seq first; they count as published again at nowMs. */
  takeDue(nowMs: number, limit = Infinity): InFlight[] {
    const due = [...this.inflight.values()].filter((f) => nowMs - f.sentAtMs >= this.opts.ackTimeoutMs).sort((a, b) => a.seq - b.seq).slice(0, limit);
    for (const f of due) {
      f.sentAtMs = nowMs;
      f.attempts++;
    }
    return due;
  }

  /** When the earliest in-flight record times out, ms; null when nothing is in flight. */
  nextDeadlineMs(): number | null {
    let min: number | null = null;
    for (const f of this.inflight.values()) {
      const d = f.sentAtMs + this.opts.ackTimeoutMs;
      if (min === null || d < min) min = d;
    }
    return min;
  }

  /**
   * Forget everything in flight and start again from the outbox head. Called on every new
   * connection: whatever was in flight may have been lost with the old one, and the backend
   * drops the duplicates by id.
   */
  reset(): void {
    this.inflight.clear();
    this.cursorSeq = 0;
  }
}
