import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { outboxContract } from '../../contracts/outbox.contract';
import { LedgerStore } from '../../../src/adapters/store/ledger-store';
import { LevelOutbox } from '../../../src/adapters/store/outbox';
import { SUBLEVELS, seqKey, type BatchOp } from '../../../src/adapters/store/layout';

// The contract adds arbitrary entries; here they are written the way append writes them
// (record text, session-id index and outbox entry in one batch), minus the signing.
outboxContract('LevelDB (ledger store)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outbox-'));
  const store = new LedgerStore(path.join(dir, 'ledger'), { sync: false });
  return {
    outbox: new LevelOutbox(store),
    async add(entries) {
      await store.exclusive(async () => {
        const ops: BatchOp[] = entries.flatMap((e) => [
          { type: 'put' as const, sublevel: store.sublevel(SUBLEVELS.records), key: seqKey(e.seq), value: e.payload },
          { type: 'put' as const, sublevel: store.sublevel(SUBLEVELS.bySession), key: e.id, value: seqKey(e.seq) },
          { type: 'put' as const, sublevel: store.sublevel(SUBLEVELS.outbox), key: seqKey(e.seq), value: e.id },
        ]);
        await store.writeBatch(ops);
        store.noteAcked(-entries.length);
      });
    },
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
