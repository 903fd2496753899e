// Rate limit for replay: a token bucket on an injected clock (pure; the adapter owns the timers).

/** Bucket tuning. */
export interface TokenBucketOptions {
  /** Sustained rate, tokens (records) per second; must be > 0. */
  ratePerS: number;
  /** Bucket capacity: the largest burst, in tokens; >= 1. */
  burst: number;
}

/** A token bucket: take() spends one token if available; waitMs() says when the next one is. */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(private readonly opts: TokenBucketOptions, nowMs: number) {
    if (!(opts.ratePerS > 0)) throw new Error(`rate must be > 0 per second, got ${opts.ratePerS}`);
    if (!(opts.burst >= 1)) throw new Error(`burst must be >= 1, got ${opts.burst}`);
    this.tokens = opts.burst;
    this.lastMs = nowMs;
  }

  private refill(nowMs: number): void {
    if (nowMs > this.lastMs) {
      this.tokens = Math.min(this.opts.burst, this.tokens + ((nowMs - this.lastMs) * this.opts.ratePerS) / 1000);
      this.lastMs = nowMs;
    }
  }

  /** Spend `n` tokens (default one) if there are that many; true when spent. */
  take(nowMs: number, n = 1): boolean {
    this.refill(nowMs);
    if (this.tokens >= n) {
      this.tokens -= n;
      return true;
    }
    return false;
  }

  /** Milliseconds until a token will be available (0 if one is now). */
  waitMs(nowMs: number): number {
    this.refill(nowMs);
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) * 1000) / this.opts.ratePerS);
  }

  /** Whole tokens available now. */
  available(nowMs: number): number {
    this.refill(nowMs);
    return Math.floor(this.tokens);
  }
}
