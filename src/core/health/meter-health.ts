// The pure meter health model: ok / stale / disconnected / corrupt, the age of the last good
// reading and error counters by reason. Time comes from an injected clock; the caller owns
// the timer and calls check() when nextCheckInMs() says a transition may be due.
import type { MeterHealth, MeterHealthState } from '../types';

/** Wall-clock and monotonic time sources, both in ms; injected so tests can use a fake clock. */
export interface Clock {
  /** Wall-clock ms since the epoch (for timestamps in messages). */
  nowMs(): number;
  /** Monotonic ms (for ages and timeouts; only differences matter). */
  monoMs(): number;
}

/** Settings of one meter's health tracker. */
export interface MeterHealthOptions {
  meterId: string;
  /** A meter with no good reading for this long is stale, ms (> 0). */
  staleAfterMs: number;
  /** Consecutive rejected telegrams before the state turns corrupt (default 1). */
  corruptAfter?: number;
}

/** Tracks one meter's health; every mutator returns the new snapshot on a state change, else null. */
export class MeterHealthTracker {
  private current: MeterHealthState = 'disconnected';
  private sinceMs: number;
  private isConnected = false;
  private connectedAtMono = 0;
  private lastGoodMono: number | null = null;
  private lastActivityMono: number | null = null;
  private consecutiveRejects = 0;
  private readonly errors: Record<string, number> = {};
  /** Reason of the most recent error, for status texts. */
  lastError: string | null = null;

  private readonly opts: MeterHealthOptions;

  constructor(
    opts: MeterHealthOptions,
    private readonly clock: Clock,
  ) {
    this.opts = { ...opts };
    if (!(opts.staleAfterMs > 0)) throw new RangeError(`staleAfterMs must be > 0, got ${opts.staleAfterMs}`);
    this.sinceMs = clock.nowMs();
  }

  /** The current state. */
  get state(): MeterHealthState {
    return this.current;
  }

  /** Whether the byte source is currently open. */
  get connected(): boolean {
    return this.isConnected;
  }

  /** The source opened. The state stays as it is until data arrives or the stale timeout runs out. */
  sourceOpened(): MeterHealth | null {
    // Why no immediate change: a reconnect is followed by a reading within one interval, and
    // flapping disconnected→stale→ok would wake every consumer twice for nothing.
    this.isConnected = true;
    this.connectedAtMono = this.clock.monoMs();
    return null;
  }

  /** The source closed or failed to open; `reason` is counted when given. */
  sourceClosed(reason?: string): MeterHealth | null {
    if (reason) this.countError(reason);
    this.isConnected = false;
    this.consecutiveRejects = 0;
    return this.enter('disconnected');
  }

  /** A valid reading for this meter arrived. */
  goodReading(): MeterHealth | null {
    const now = this.clock.monoMs();
    if (!this.isConnected) {
      this.isConnected = true;
      this.connectedAtMono = now;
    }
    this.lastGoodMono = now;
    this.lastActivityMono = now;
    this.consecutiveRejects = 0;
    return this.enter('ok');
  }

  /** A telegram for this meter was rejected; counted under `reason`. */
  rejected(reason: string): MeterHealth | null {
    this.countError(reason);
    this.lastActivityMono = this.clock.monoMs();
    this.consecutiveRejects++;
    if (this.isConnected && this.consecutiveRejects >= (this.opts.corruptAfter ?? 1)) return this.enter('corrupt');
    return null;
  }

  /** Add counts from before this tracker existed (port-level errors of a meter seen later). */
  seedErrors(errors: Record<string, number>): void {
    for (const [reason, n] of Object.entries(errors)) this.errors[reason] = (this.errors[reason] ?? 0) + n;
  }

  /** Count an error that has no effect on the state (e.g. a rejection attributed to no meter). */
  countError(reason: string): void {
    this.errors[reason] = (this.errors[reason] ?? 0) + 1;
    this.lastError = reason;
  }

  /** Apply time-based transitions (ok/corrupt/waiting → stale); returns the snapshot if the state changed. */
  check(): MeterHealth | null {
    const due = this.nextCheckInMs();
    return due !== null && due <= 0 ? this.enter('stale') : null;
  }

  /** Ms until check() may change the state (<= 0: due now), or null when no timer is needed. */
  nextCheckInMs(): number | null {
    if (!this.isConnected || this.current === 'stale') return null;
    const base = this.staleBaseMono();
    return base + this.opts.staleAfterMs - this.clock.monoMs();
  }

  /** The current health, with the age of the last good reading as of now. */
  snapshot(): MeterHealth {
    return {
      meterId: this.opts.meterId,
      state: this.current,
      lastGoodAgeMs: this.lastGoodMono === null ? null : Math.round(this.clock.monoMs() - this.lastGoodMono),
      errors: { ...this.errors },
      sinceMs: this.sinceMs,
    };
  }

  /** Monotonic ms from which the stale timeout runs in the current state. */
  private staleBaseMono(): number {
    switch (this.current) {
      case 'ok':
        // ok means fresh good data: stale as soon as the last good reading is too old.
        return this.lastGoodMono ?? this.connectedAtMono;
      case 'corrupt':
        // Bad data still arriving is more telling than "stale"; silence is not.
        return Math.max(this.lastActivityMono ?? 0, this.connectedAtMono);
      default:
        // Connected but nothing valid yet: the grace period runs from the (re)connection.
        return this.connectedAtMono;
    }
  }

  private enter(state: MeterHealthState): MeterHealth | null {
    if (state === this.current) return null;
    this.current = state;
    this.sinceMs = this.clock.nowMs();
    return this.snapshot();
  }
}
