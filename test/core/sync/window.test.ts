import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SendWindow } from '../../../src/core/sync/window';
import type { OutboxEntry } from '../../../src/adapters/ports';

const e = (seq: number): OutboxEntry => ({ id: `r${seq}`, seq, payload: `{"seq":${seq}}` });
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => e(a + i));

describe('SendWindow', () => {
  it('reads in batches after the cursor and stops when the window is full', () => {
    const w = new SendWindow({ maxInFlight: 5, batchSize: 3, ackTimeoutMs: 1000 });
    expect(w.nextRead()).toEqual({ limit: 3, afterSeq: 0 });
    expect(w.admit(range(1, 3), 0).map((f) => f.seq)).toEqual([1, 2, 3]);
    expect(w.nextRead()).toEqual({ limit: 2, afterSeq: 3 });
    expect(w.admit(range(4, 5), 0).map((f) => f.seq)).toEqual([4, 5]);
    expect(w.nextRead()).toBeNull();
  });
  it('frees room only on the backend ack', () => {
    const w = new SendWindow({ maxInFlight: 2, batchSize: 10, ackTimeoutMs: 1000 });
    w.admit(range(1, 2), 0);
    expect(w.acked(['r1', 'zzz'])).toBe(1);
    expect(w.nextRead()).toEqual({ limit: 1, afterSeq: 2 });
  });
  it('resends after the ack timeout, lowest seq first, and reschedules', () => {
    const w = new SendWindow({ maxInFlight: 10, batchSize: 10, ackTimeoutMs: 1000 });
    w.admit(range(1, 2), 0);
    w.admit(range(3, 3), 500);
    expect(w.nextDeadlineMs()).toBe(1000);
    expect(w.takeDue(999)).toEqual([]);
    expect(w.takeDue(1000).map((f) => [f.seq, f.attempts])).toEqual([[1, 2], [2, 2]]);
    expect(w.nextDeadlineMs()).toBe(1500);
    expect(w.takeDue(1500).map((f) => f.seq)).toEqual([3]);
  });
  it('does not admit what it already has, and restarts from the head on reset', () => {
    const w = new SendWindow({ maxInFlight: 10, batchSize: 10, ackTimeoutMs: 1000 });
    w.admit(range(1, 3), 0);
    expect(w.admit(range(2, 4), 0).map((f) => f.seq)).toEqual([4]);
    w.reset();
    expect(w.size).toBe(0);
    expect(w.nextRead()).toEqual({ limit: 10, afterSeq: 0 });
    expect(w.nextDeadlineMs()).toBeNull();
  });
  it('property: driving it against an outbox with random acks delivers every record, in first-send order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 8 }), fc.array(fc.boolean(), { minLength: 200, maxLength: 200 }), (n, max, coin) => {
        let pending = range(1, n);
        const w = new SendWindow({ maxInFlight: max, batchSize: 3, ackTimeoutMs: 10 });
        const firstSent: number[] = [];
        const acked = new Set<string>();
        let t = 0;
        for (let i = 0; i < 200 && pending.length > 0; i++) {
          t += 5;
          const read = w.nextRead();
          if (read) {
            const page = pending.filter((p) => p.seq > read.afterSeq).slice(0, read.limit);
            for (const f of w.admit(page, t)) if (!firstSent.includes(f.seq)) firstSent.push(f.seq);
          }
          w.takeDue(t);
          const oldest = pending[0];
          if (oldest && coin[i] && w.acked([oldest.id]) === 1) {
            acked.add(oldest.id);
            pending = pending.slice(1);
          }
        }
        if (w.size > max) return false;
        for (let i = 1; i < firstSent.length; i++) if (firstSent[i]! <= firstSent[i - 1]!) return false;
        return pending.length === 0 ? acked.size === n : true;
      }),
    );
  });
});
