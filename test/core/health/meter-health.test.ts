import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MeterHealthTracker, type Clock } from '../../../src/core/health/meter-health';
import type { MeterHealth } from '../../../src/core/types';

function fakeClock(startWall = 1_700_000_000_000): Clock & { advance(ms: number): void } {
  let mono = 1000;
  return {
    nowMs: () => startWall + mono,
    monoMs: () => mono,
    advance(ms: number) {
      mono += ms;
    },
  };
}

function tracker(staleAfterMs = 5000, corruptAfter?: number) {
  const clock = fakeClock();
  return { clock, h: new MeterHealthTracker({ meterId: 'SITE', staleAfterMs, corruptAfter }, clock) };
}

describe('MeterHealthTracker', () => {
  it('starts disconnected with no good reading', () => {
    const { h } = tracker();
    expect(h.snapshot()).toMatchObject({ meterId: 'SITE', state: 'disconnected', lastGoodAgeMs: null, errors: {} });
    expect(h.nextCheckInMs()).toBeNull();
  });

  it('goes ok on the first good reading, and reports the change once', () => {
    const { h, clock } = tracker();
    expect(h.sourceOpened()).toBeNull();
    clock.advance(300);
    const change = h.goodReading();
    expect(change).toMatchObject({ state: 'ok', lastGoodAgeMs: 0, sinceMs: clock.nowMs() });
    clock.advance(1000);
    expect(h.goodReading()).toBeNull();
  });

  it('goes stale exactly at the timeout after the last good reading', () => {
    const { h, clock } = tracker(5000);
    h.sourceOpened();
    h.goodReading();
    clock.advance(4999);
    expect(h.nextCheckInMs()).toBe(1);
    expect(h.check()).toBeNull();
    clock.advance(1);
    const change = h.check();
    expect(change).toMatchObject({ state: 'stale', lastGoodAgeMs: 5000 });
    expect(h.check()).toBeNull();
    expect(h.nextCheckInMs()).toBeNull();
    clock.advance(100);
    expect(h.goodReading()).toMatchObject({ state: 'ok', lastGoodAgeMs: 0 });
  });

  it('a reading before the timeout postpones staleness', () => {
    const { h, clock } = tracker(5000);
    h.sourceOpened();
    h.goodReading();
    clock.advance(4000);
    h.goodReading();
    clock.advance(4000);
    expect(h.check()).toBeNull();
    expect(h.state).toBe('ok');
    expect(h.nextCheckInMs()).toBe(1000);
  });

  it('connected but silent goes stale after the grace period, with no age', () => {
    const { h, clock } = tracker(2000);
    h.sourceOpened();
    clock.advance(1999);
    expect(h.check()).toBeNull();
    expect(h.state).toBe('disconnected');
    clock.advance(1);
    expect(h.check()).toMatchObject({ state: 'stale', lastGoodAgeMs: null });
  });

  it('a rejected telegram turns corrupt and is counted by reason', () => {
    const { h, clock } = tracker();
    h.sourceOpened();
    h.goodReading();
    clock.advance(500);
    expect(h.rejected('bad_checksum')).toMatchObject({ state: 'corrupt', errors: { bad_checksum: 1 } });
    expect(h.rejected('bad_checksum')).toBeNull();
    expect(h.rejected('truncated')).toBeNull();
    expect(h.snapshot().errors).toEqual({ bad_checksum: 2, truncated: 1 });
    expect(h.lastError).toBe('truncated');
    expect(h.goodReading()).toMatchObject({ state: 'ok', errors: { bad_checksum: 2, truncated: 1 } });
  });

  it('corruptAfter tolerates isolated rejections', () => {
    const { h } = tracker(5000, 3);
    h.sourceOpened();
    h.goodReading();
    expect(h.rejected('bad_checksum')).toBeNull();
    expect(h.rejected('bad_checksum')).toBeNull();
    expect(h.goodReading()).toBeNull();
    expect(h.rejected('bad_checksum')).toBeNull();
    expect(h.rejected('bad_checksum')).toBeNull();
    expect(h.rejected('bad_checksum')?.state).toBe('corrupt');
  });

  it('corrupt stays corrupt while bad data keeps coming, and goes stale on silence', () => {
    const { h, clock } = tracker(3000);
    h.sourceOpened();
    h.rejected('garbage');
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      h.rejected('garbage');
      expect(h.check()).toBeNull();
    }
    clock.advance(3000);
    expect(h.check()?.state).toBe('stale');
  });

  it('disconnection wins from any state, counts its reason, and stops the stale timer', () => {
    const { h, clock } = tracker();
    h.sourceOpened();
    h.goodReading();
    clock.advance(10);
    expect(h.sourceClosed('disconnected')).toMatchObject({ state: 'disconnected', errors: { disconnected: 1 } });
    expect(h.nextCheckInMs()).toBeNull();
    clock.advance(60_000);
    expect(h.check()).toBeNull();
    expect(h.snapshot().lastGoodAgeMs).toBe(60_010);
    // A rejection while disconnected is counted but does not claim "corrupt".
    expect(h.rejected('garbage')).toBeNull();
    expect(h.sourceClosed('open_failed')).toBeNull();
    expect(h.snapshot().errors).toEqual({ disconnected: 1, garbage: 1, open_failed: 1 });
  });

  it('countError counts without changing the state', () => {
    const { h } = tracker();
    h.sourceOpened();
    h.goodReading();
    h.countError('bad_checksum');
    expect(h.state).toBe('ok');
    expect(h.snapshot().errors).toEqual({ bad_checksum: 1 });
  });

  it('rejects a non-positive stale timeout', () => {
    expect(() => new MeterHealthTracker({ meterId: 'x', staleAfterMs: 0 }, fakeClock())).toThrow(RangeError);
  });

  it('property: a change is reported exactly when the state changes, and readings never look fresher than they are', () => {
    const op = fc.oneof(
      fc.constant({ k: 'open' as const }),
      fc.constant({ k: 'close' as const }),
      fc.constant({ k: 'good' as const }),
      fc.constantFrom('bad_checksum', 'truncated').map((r) => ({ k: 'reject' as const, r })),
      fc.integer({ min: 0, max: 8000 }).map((ms) => ({ k: 'wait' as const, ms })),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const { h, clock } = tracker(5000);
        let lastGood: number | null = null;
        for (const o of ops) {
          const before = h.state;
          let change: MeterHealth | null;
          if (o.k === 'open') change = h.sourceOpened();
          else if (o.k === 'close') change = h.sourceClosed('disconnected');
          else if (o.k === 'good') {
            change = h.goodReading();
            lastGood = clock.monoMs();
          } else if (o.k === 'reject') change = h.rejected(o.r);
          else {
            clock.advance(o.ms);
            change = h.check();
          }
          expect(change !== null).toBe(h.state !== before);
          if (change) expect(change.state).toBe(h.state);
          // Never "ok" with a last good reading older than the timeout, once checked.
          h.check();
          if (h.state === 'ok') expect(clock.monoMs() - (lastGood as number)).toBeLessThan(5000);
        }
      }),
    );
  });
});
