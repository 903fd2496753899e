// The health of every meter behind one meter node: one tracker per meter id (a bus carries
// several), connection events applied to all. With a meter-id filter, only that meter counts.
import type { MeterHealth, MeterHealthState } from '../types';
import { MeterHealthTracker, type Clock } from './meter-health';

/** Health of the port as a whole while no meter on it is known: not a meter, marked by `port`. */
export interface PortHealth extends MeterHealth {
  /** The port's address; `meterId` carries the same text for consumers keyed by id. */
  port: string;
}

/** Whether a health snapshot is about a port rather than a meter. */
export function isPortHealth(h: MeterHealth): h is PortHealth {
  return typeof (h as Partial<PortHealth>).port === 'string';
}

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
   * (so a wrong baud rate still shows corrupt or stale); its snapshots are PortHealth, never a
   * meter. The first meter inherits its counts, and a port that was shown ends with "ok".
   */
  private placeholder: MeterHealthTracker | null = null;
  /** Whether a port snapshot went out, so its end must be told too. */
  private placeholderShown = false;
  private retired: PortHealth | null = null;
  /** Every meter id seen on the port, whether this set accepts it or not. */
  private readonly seen = new Set<string>();

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

  /** A good reading of `meterId`; pass every reading of the port (those not accepted are only noted as seen). */
  reading(meterId: string): MeterHealth[] {
    this.seen.add(meterId);
    if (!this.accepts(meterId)) return [];
    const t = this.tracker(meterId);
    return compact([this.takeRetired(), t.goodReading()]);
  }

  /** A rejected telegram, attributed to `meterId` when the decoder knew it. */
  rejected(reason: string, meterId?: string): MeterHealth[] {
    if (meterId !== undefined) {
      this.seen.add(meterId);
      if (!this.accepts(meterId)) return [];
      const t = this.tracker(meterId);
      return compact([this.takeRetired(), t.rejected(reason)]);
    }
    // Unattributed (a bad checksum makes the id untrustworthy, garbage has none). Why it may
    // still be blamed: when only one meter can be on the port (the only one ever seen there, or
    // the configured one while none was seen), it can only be that one, and it must show corrupt.
    if (this.placeholder) return compact([this.fromPlaceholder(this.placeholder.rejected(reason))]);
    const only = this.onlyMeter();
    if (only !== null) return this.accepts(only) ? compact([this.tracker(only).rejected(reason)]) : [];
    // A bus: count it on every meter, blame none.
    for (const t of this.trackers.values()) t.countError(reason);
    return [];
  }

  /** Time-based transitions (to stale) of every meter. */
  check(): MeterHealth[] {
    return this.each((t) => t.check());
  }

  /** The one meter that can be on this port, or null (a bus, or nothing known). */
  private onlyMeter(): string | null {
    const ids = new Set(this.seen);
    if (this.opts.filter !== null) ids.add(this.opts.filter);
    return ids.size === 1 ? [...ids][0] : null;
  }

  /** The port's last word when a meter took its place: "ok", so no consumer keeps a stale port state. */
  private takeRetired(): PortHealth | null {
    const r = this.retired;
    this.retired = null;
    return r;
  }

  private portSnapshot(h: MeterHealth): PortHealth {
    return { ...h, port: this.opts.portLabel };
  }

  /** Mark a placeholder change as port health. */
  private fromPlaceholder(h: MeterHealth | null): PortHealth | null {
    if (!h) return null;
    this.placeholderShown = true;
    return this.portSnapshot(h);
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
      if (this.placeholder) {
        const last = this.placeholder.snapshot();
        t.seedErrors(last.errors);
        if (this.placeholderShown) this.retired = this.portSnapshot({ ...last, state: 'ok', sinceMs: this.clock.nowMs() });
      }
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
    return compact(this.all().map((t) => (t === this.placeholder ? this.fromPlaceholder(f(t)) : f(t))));
  }
}

function compact(xs: Array<MeterHealth | null>): MeterHealth[] {
  return xs.filter((x): x is MeterHealth => x !== null);
}
