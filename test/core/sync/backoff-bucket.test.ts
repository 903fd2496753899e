import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Backoff, backoffDelayMs } from '../../../src/core/sync/backoff';
import { TokenBucket } from '../../../src/core/sync/token-bucket';

describe('backoff with jitter', () => {
  const opts = { initialMs: 1000, maxMs: 60_000, factor: 2 };
  it('grows exponentially between half and the full ceiling, capped', () => {
    expect(backoffDelayMs(0, opts, () => 0)).toBe(500);
    expect(backoffDelayMs(0, opts, () => 0.999999)).toBe(1000);
    expect(backoffDelayMs(3, opts, () => 0)).toBe(4000);
    expect(backoffDelayMs(30, opts, () => 0.999999)).toBe(60_000);
  });
  it('always lies within [ceiling/2, ceiling]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.double({ min: 0, max: 0.9999999, noNaN: true }), (attempt, r) => {
        const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 64));
        const d = backoffDelayMs(attempt, opts, () => r);
        return d >= Math.floor(ceiling / 2) && d <= ceiling;
      }),
    );
  });
  it('jitter spreads a fleet: different random draws give different delays', () => {
    let x = 0.1;
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelayMs(4, opts, () => (x = (x * 7.3) % 1))));
    expect(delays.size).toBeGreaterThan(10);
  });
  it('counts failures and resets', () => {
    const b = new Backoff(opts, () => 0);
    expect([b.next(), b.next(), b.next()]).toEqual([500, 1000, 2000]);
    expect(b.failures).toBe(3);
    b.reset();
    expect(b.next()).toBe(500);
  });
});

describe('token bucket', () => {
  it('allows a burst, then the sustained rate', () => {
    const b = new TokenBucket({ ratePerS: 10, burst: 3 }, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.waitMs(0)).toBe(100);
    expect(b.take(50)).toBe(false);
    expect(b.take(100)).toBe(true);
    expect(b.available(10_000)).toBe(3);
  });
  it('never exceeds rate * time + burst over any run', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 300 }), (steps) => {
        const b = new TokenBucket({ ratePerS: 100, burst: 5 }, 0);
        let t = 0;
        let taken = 0;
        for (const s of steps) {
          t += s;
          while (b.take(t)) taken++;
        }
        return taken <= Math.floor((t * 100) / 1000) + 5;
      }),
    );
  });
  it('rejects nonsense tuning', () => {
    expect(() => new TokenBucket({ ratePerS: 0, burst: 1 }, 0)).toThrow();
    expect(() => new TokenBucket({ ratePerS: 1, burst: 0 }, 0)).toThrow();
  });
});
