import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PeakHold } from '../../../src/core/load/peak-hold';

/** The definition: every sample ever added (a repeat of the latest time replaces it), max over those inside the window. */
function reference(windowMs: number) {
  const all: Array<{ atMs: number; values: number[] }> = [];
  return (atMs: number, values: number[], nowMs: number): number[] => {
    const last = all[all.length - 1];
    if (last && last.atMs === atMs) last.values = values;
    else all.push({ atMs, values });
    const held = values.slice();
    for (const s of all) {
      if (nowMs - s.atMs > windowMs || s.values.length !== held.length) continue;
      for (let r = 0; r < held.length; r++) held[r] = Math.max(held[r], s.values[r]);
    }
    return held;
  };
}

describe('PeakHold', () => {
  it('holds a peak for the window, then lets the fall through', () => {
    const h = new PeakHold(10_000);
    expect(h.update(0, [10, 5, 5], 0)).toEqual([10, 5, 5]);
    expect(h.update(1000, [4, 8, 5], 1000)).toEqual([10, 8, 5]);
    expect(h.update(10_500, [3, 3, 3], 10_500)).toEqual([4, 8, 5]);
    expect(h.update(11_500, [3, 3, 3], 11_500)).toEqual([3, 3, 3]);
  });

  it('gives the same held values as the plain definition, for any sample sequence', () => {
    const step = fc.record({
      dt: fc.integer({ min: 0, max: 4000 }),
      // Readings that waited in a queue carry an older time than the previous one.
      back: fc.integer({ min: 0, max: 3000 }),
      values: fc.oneof(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 3, maxLength: 3 }), fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 1 })),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const h = new PeakHold(5000);
        const ref = reference(5000);
        let now = 0;
        for (const s of steps) {
          now += s.dt;
          const atMs = now - s.back;
          expect(h.update(atMs, s.values, now)).toEqual(ref(atMs, s.values, now));
        }
      }),
      { numRuns: 500 },
    );
  });
});
