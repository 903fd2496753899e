import type { CheckpointStore } from '../ports';
import { SUBLEVELS } from './layout';
import type { LedgerStore } from './ledger-store';

/** Open-session checkpoints in the ledger database; the append batch deletes a session's checkpoint. */
export class LevelCheckpointStore implements CheckpointStore {
  constructor(private readonly store: LedgerStore) {}

  /** Save (replace) one session's checkpoint, durably. */
  save(sessionId: string, state: unknown): Promise<void> {
    const value = JSON.stringify(state ?? null);
    return this.store.exclusive(() => this.store.writeBatch([{ type: 'put', sublevel: this.store.sublevel(SUBLEVELS.checkpoints), key: sessionId, value }]));
  }

  /** Every stored checkpoint. */
  async loadAll(): Promise<Array<{ sessionId: string; state: unknown }>> {
    await this.store.ready;
    const out: Array<{ sessionId: string; state: unknown }> = [];
    for await (const [sessionId, value] of this.store.sublevel(SUBLEVELS.checkpoints).iterator()) out.push({ sessionId, state: JSON.parse(value) });
    return out;
  }

  /** Remove one checkpoint. */
  delete(sessionId: string): Promise<void> {
    return this.store.exclusive(() => this.store.writeBatch([{ type: 'del', sublevel: this.store.sublevel(SUBLEVELS.checkpoints), key: sessionId }]));
  }
}
