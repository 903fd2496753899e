// Reconnection delays: exponential growth with a cap and random jitter, so that many
// controllers behind one rebooted gateway do not all knock at the same instant.

/** Backoff settings, all in ms except the factor and jitter fraction. */
export interface BackoffOptions {
  /** First delay, ms. */
  initialMs: number;
  /** Upper bound of any delay, ms. */
  maxMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Random spread as a fraction of the delay, 0..1 (default 0.2: ±20 %). */
  jitter?: number;
}

/** Sensible defaults for a meter port: 0.5 s, doubling, at most 30 s, ±20 %. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };

/** Delay before reconnection attempt `attempt` (0-based), ms; `random` returns [0, 1). */
export function backoffDelayMs(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const factor = opts.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.2));
  const base = Math.min(opts.maxMs, opts.initialMs * factor ** Math.min(attempt, 60));
  const spread = base * jitter * (2 * random() - 1);
  return Math.max(0, Math.min(opts.maxMs, Math.round(base + spread)));
}
