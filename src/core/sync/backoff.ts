// Reconnection delays: exponential backoff with "full jitter", so that a fleet of stations that
// lost the same mobile cell does not reconnect in lock-step when it comes back.

/** Backoff tuning, all in milliseconds. */
export interface BackoffOptions {
  /** First delay ceiling, ms. */
  initialMs: number;
  /** Upper bound of any delay, ms. */
  maxMs: number;
  /** Growth factor per failed attempt. */
  factor: number;
}

/** Defaults: 1 s, doubling, capped at 5 min. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 300_000, factor: 2 };

/**
 * Delay before reconnection attempt `attempt` (0-based), ms: uniform in
 * [ceiling/2, ceiling] with ceiling = min(maxMs, initialMs * factor^attempt).
 * Half the ceiling is kept as a floor so a flapping link is never hammered.
 * `random` returns [0, 1) and is injected for tests.
 */
export function backoffDelayMs(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exp = Math.min(Math.max(0, attempt), 64);
  const ceiling = Math.min(opts.maxMs, opts.initialMs * Math.pow(opts.factor, exp));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Counts consecutive failures and hands out the next delay; reset on a good connection. */
export class Backoff {
  private attempt = 0;
  constructor(private readonly opts: BackoffOptions = DEFAULT_BACKOFF, private readonly random: () => number = Math.random) {}

  /** Delay before the next attempt, ms; each call counts one more failure. */
  next(): number {
    return backoffDelayMs(this.attempt++, this.opts, this.random);
  }

  /** A connection succeeded: start again from the initial delay. */
  reset(): void {
    this.attempt = 0;
  }

  /** Failures counted since the last reset. */
  get failures(): number {
    return this.attempt;
  }
}
