// Contract suite for every Outbox implementation: the memory one (test/adapters/memory-outbox.test.ts)
// and team LEDGER's LevelDB one run the same expectations.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { Outbox, OutboxEntry } from '../../src/adapters/ports';

/** What a factory hands the suite: the outbox, a way to append (the ledger's batch), and cleanup. */
export interface OutboxHarness {
  outbox: Outbox;
  add(entries: OutboxEntry[]): Promise<void>;
  close(): Promise<void>;
}

const entry = (seq: number): OutboxEntry => ({ id: `s-${seq}`, seq, payload: JSON.stringify({ id: `s-${seq}`, seq, note: 'ü€' }) });
const range = (from: number, to: number): OutboxEntry[] => Array.from({ length: to - from + 1 }, (_, i) => entry(from + i));

/** Run the Outbox contract against one implementation. */
export function outboxContract(name: string, factory: () => Promise<OutboxHarness>): void {
  describe(`Outbox contract: ${name}`, () => {
    let h: OutboxHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.close();
    });

    it('starts empty', async () => {
      expect(await h.outbox.size()).toBe(0);
      expect(await h.outbox.peek(10)).toEqual([]);
    });

    it('peeks in seq order, limited, after a given seq, payload byte-exact', async () => {
      await h.add(range(1, 5));
      await h.add(range(6, 12));
      expect(await h.outbox.size()).toBe(12);
      expect((await h.outbox.peek(3)).map((e) => e.seq)).toEqual([1, 2, 3]);
      expect((await h.outbox.peek(4, 3)).map((e) => e.seq)).toEqual([4, 5, 6, 7]);
      expect((await h.outbox.peek(100, 10)).map((e) => e.seq)).toEqual([11, 12]);
      expect(await h.outbox.peek(5, 12)).toEqual([]);
      expect((await h.outbox.peek(1, 8))[0]).toEqual(entry(9));
    });

    it('orders numerically, not lexically (seq 9 before seq 10 before seq 100)', async () => {
      await h.add([entry(9), entry(10), entry(100), entry(1000)]);
      expect((await h.outbox.peek(10)).map((e) => e.seq)).toEqual([9, 10, 100, 1000]);
    });

    it('ack removes only the given ids, ignores unknown ones and counts what it removed', async () => {
      await h.add(range(1, 6));
      expect(await h.outbox.ack(['s-2', 's-4', 'nope'])).toBe(2);
      expect(await h.outbox.size()).toBe(4);
      expect((await h.outbox.peek(10)).map((e) => e.seq)).toEqual([1, 3, 5, 6]);
      expect(await h.outbox.ack(['s-2'])).toBe(0);
      expect(await h.outbox.ack([])).toBe(0);
      expect((await h.outbox.peek(10, 1)).map((e) => e.seq)).toEqual([3, 5, 6]);
    });

    it('acking everything empties it and later appends continue in order', async () => {
      await h.add(range(1, 3));
      expect(await h.outbox.ack(['s-1', 's-2', 's-3'])).toBe(3);
      expect(await h.outbox.size()).toBe(0);
      await h.add(range(4, 5));
      expect((await h.outbox.peek(10)).map((e) => e.id)).toEqual(['s-4', 's-5']);
    });

    it('keeps a backlog of thousands and pages through it', async () => {
      await h.add(range(1, 2500));
      let after = 0;
      const seen: number[] = [];
      for (;;) {
        const page = await h.outbox.peek(300, after);
        if (page.length === 0) break;
        seen.push(...page.map((e) => e.seq));
        after = page[page.length - 1]!.seq;
      }
      expect(seen.length).toBe(2500);
      expect(seen.every((s, i) => s === i + 1)).toBe(true);
    });
  });
}
