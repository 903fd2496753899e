import { describe, expect, it } from 'vitest';
import { LogLimiter } from '../../../src/core/health/log-limit';

describe('LogLimiter', () => {
  it('lets the first line of a kind through, holds the rest of the window and tells their count once', () => {
    const l = new LogLimiter(60_000);
    expect(l.offer('line_too_long', 'noise', 0)).toBe('noise');
    expect(l.nextFlushInMs(0)).toBeNull();
    for (let t = 1; t <= 992; t++) expect(l.offer('line_too_long', 'noise', t * 10)).toBeNull();
    // Another kind has its own window.
    expect(l.offer('device_gone', 'gone', 20)).toBe('gone');
    expect(l.nextFlushInMs(30_000)).toBe(30_000);
    expect(l.flush(59_999)).toEqual([]);
    expect(l.flush(60_000)).toEqual(['noise (992 more like it in the last 60 s)']);
    expect(l.flush(60_000)).toEqual([]);
    expect(l.nextFlushInMs(60_000)).toBeNull();
    // The summary opened a new window: the next line waits for it.
    expect(l.offer('line_too_long', 'noise', 61_000)).toBeNull();
    expect(l.offer('line_too_long', 'noise', 121_000)).toBe('noise (and 1 more like it before)');
  });

  it('a kind that stays quiet for a window starts afresh', () => {
    const l = new LogLimiter(1000);
    expect(l.offer('k', 'a', 0)).toBe('a');
    expect(l.flush(1000)).toEqual([]);
    expect(l.offer('k', 'b', 5000)).toBe('b');
    expect(() => new LogLimiter(0)).toThrow(RangeError);
  });
});
