import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LedgerStore } from '../../../src/adapters/store/ledger-store';
import { LevelOutbox } from '../../../src/adapters/store/outbox';
import { LevelCheckpointStore } from '../../../src/adapters/store/checkpoints';
import { isSynced, recordTexts } from '../../../src/adapters/store/query';
import { checkStationChain } from '../../../src/adapters/store/verify-chain';

const ROUNDS = 12;
const dataDir = mkdtempSync(path.join(tmpdir(), 'kill9-'));
const child = path.join(__dirname, 'kill9-child.js');

/** Start the appender, let it write for a random time, then SIGKILL it. */
function runAndKill(maxMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.stdout.once('data', () => setTimeout(() => p.kill('SIGKILL'), Math.floor(Math.random() * maxMs)));
    p.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

describe('kill -9 at random points', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(`keeps an intact, verifiable chain over ${ROUNDS} crashes`, async () => {
    let lastSeq = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await runAndKill(round % 3 === 0 ? 30 : 300);
      const report = await checkStationChain(path.join(dataDir, 'ST1'));
      expect(report.problems).toEqual([]);
      const store = new LedgerStore(path.join(dataDir, 'ST1', 'ledger'));
      try {
        const head = await store.getHead();
        expect(head.seq).toBeGreaterThanOrEqual(lastSeq);
        lastSeq = head.seq;
        // seq i holds session s-i: no session lost in between, none recorded twice.
        let i = 0;
        for await (const { seq, text } of recordTexts(store)) {
          i++;
          expect(seq).toBe(i);
          expect(JSON.parse(text).id).toBe(`s-${i}`);
        }
        expect(i).toBe(head.seq);
        // Every record is either queued in the outbox or synced, never both or neither (ack is one batch).
        const queued = new Set((await new LevelOutbox(store).peek(1_000_000)).map((e) => e.seq));
        expect(await new LevelOutbox(store).size()).toBe(queued.size);
        for (let s = 1; s <= head.seq; s++) expect([s, queued.has(s) !== (await isSynced(store, s))]).toEqual([s, true]);
        // A checkpoint never survives its record (deleted in the append batch).
        const open = (await new LevelCheckpointStore(store).loadAll()).map((c) => c.sessionId);
        for (const id of open) expect(Number(id.slice(2))).toBeGreaterThan(head.seq);
      } finally {
        await store.close();
      }
    }
    expect(lastSeq).toBeGreaterThan(0);
  }, 120_000);
});
