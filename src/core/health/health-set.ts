// The health of every meter behind one meter node: one tracker per meter id (a bus carries
// several), connection events applied to all. With a meter-id filter, only that meter counts.
import type { MeterHealth, MeterHealthState } from '../types';
import { MeterHealthTracker, type Clock } from './meter-health';

/** Settings of a meter node's health set. */
export interface HealthSetOptions {
  /** A meter with no good reading for this long is stale, ms. */
  staleAfterMs: number;
  /** Only this meter id counts; null: every meter seen on the port. */
  filter: string | null;
  /** Name of the port, used as the meter id while no meter has been identified yet. */
  portLabel: string;
}

/** Severity for picking what the status shows: the worst meter wins. */
const SEVERITY: Record<MeterHealthState, number> = { ok: 0, stale: 1, corrupt: 2, disconnected: 3 };

/** A summary for the node status. */
export interface HealthSummary {
  /** The worst meter's state. */
  state: MeterHealthState;
  /** The worst meter's id (the port label while none is identified). */
  meterId: string | null;
  lastGoodAgeMs: number | null;
  lastError: string | null;
  /** Meters tracked. */
  meters: number;
  connected: boolean;
}

/** Trackers per meter id; every mutator returns the health snapshots that changed state. */
export class MeterHealthSet {
  private readonly trackers = new Map<string, MeterHealthTracker>();
  private connected = false;
  /**
   * Without a filter, until a meter has identified itself the port as a whole is tracked
   * (so a wrong baud rate still shows corrupt or stale); the first meter inherits its counts.
   */
  private placeholder: MeterHealthTracker | null = null;

  constructor(
    private readonly opts: HealthSetOptions,
    private readonly clock: Clock,
  ) {
    if (opts.filter) this.tracker(opts.filter);
    else this.placeholder = new MeterHealthTracker({ meterId: opts.portLabel, staleAfterMs: opts.staleAfterMs }, clock);
  }

  /** Whether readings and rejections of `meterId` belong to this set. */
  accepts(meterId: string): boolean {
    return this.opts.filter === null || meterId === this.opts.filter;
  }

  /** The port opened. */
  sourceOpened(): MeterHealth[] {
    this.connected = true;
    return this.each((t) => t.sourceOpened());
  }

  /** The port closed; `reason` is counted on every meter. */
  sourceClosed(reason?: string): MeterHealth[] {
    this.connected = false;
    return this.each((t) => t.sourceClosed(reason));
  }

  /** A good reading of `meterId` (ignored unless accepted). */
  reading(meterId: string): MeterHealth[] {
    if (!this.accepts(meterId)) return [];
    return compact([this.tracker(meterId).goodReading()]);
  }

  /** A rejected telegram, attributed to `meterId` when the decoder knew it. */
  rejected(reason: string, meterId?: string): MeterHealth[] {
    if (meterId !== undefined) return this.accepts(meterId) ? compact([this.tracker(meterId).rejected(reason)]) : [];
    // Unattributed (e.g. a bad checksum makes the id untrustworthy): with one meter it can only
    // be that one; on a bus, count it everywhere but blame no meter.
    if (this.placeholder) return compact([this.placeholder.rejected(reason)]);
    if (this.opts.filter === null && this.trackers.size === 1) return compact([[...this.trackers.values()][0].rejected(reason)]);
    for (const t of this.trackers.values()) t.countError(reason);
    return [];
  }

  /** Time-based transitions (to stale) of every meter. */
  check(): MeterHealth[] {
    return this.each((t) => t.check());
  }

  /** Ms until the earliest possible time-based transition, or null. */
  nextCheckInMs(): number | null {
    let next: number | null = null;
    for (const t of this.all()) {
      const n = t.nextCheckInMs();
      if (n !== null && (next === null || n < next)) next = n;
    }
    return next;
  }

  /** Whether some meter is stale (its status text ages). */
  anyStale(): boolean {
    return this.all().some((t) => t.state === 'stale');
  }

  /** The worst meter, for the status. */
  summary(): HealthSummary {
    let worst: [string, MeterHealthTracker] | null = this.placeholder ? [this.opts.portLabel, this.placeholder] : null;
    for (const e of this.trackers) if (!worst || SEVERITY[e[1].state] > SEVERITY[worst[1].state]) worst = e;
    if (!worst) return { state: 'disconnected', meterId: null, lastGoodAgeMs: null, lastError: null, meters: 0, connected: this.connected };
    const snap = worst[1].snapshot();
    return { state: snap.state, meterId: worst[0], lastGoodAgeMs: snap.lastGoodAgeMs, lastError: worst[1].lastError, meters: this.trackers.size, connected: this.connected };
  }

  private tracker(meterId: string): MeterHealthTracker {
    let t = this.trackers.get(meterId);
    if (!t) {
      t = new MeterHealthTracker({ meterId, staleAfterMs: this.opts.staleAfterMs }, this.clock);
      if (this.placeholder) t.seedErrors(this.placeholder.snapshot().errors);
      this.placeholder = null;
      if (this.connected) t.sourceOpened();
      this.trackers.set(meterId, t);
    }
    return t;
  }

  private all(): MeterHealthTracker[] {
    return this.placeholder ? [this.placeholder] : [...this.trackers.values()];
  }

  private each(f: (t: MeterHealthTracker) => MeterHealth | null): MeterHealth[] {
    return compact(this.all().map(f));
  }
}

function compact(xs: Array<MeterHealth | null>): MeterHealth[] {
  return xs.filter((x): x is MeterHealth => x !== null);
}
