// In-memory CheckpointStore for tests (the station's real one lives in the ledger's LevelDB).
import type { CheckpointStore } from './ports';

/** A CheckpointStore in a Map; values are stored as JSON text, as the LevelDB store does, so no object is shared. */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly data = new Map<string, string>();
  /** Number of save() calls and bytes written, for tests and benchmarks. */
  readonly stats = { saves: 0, bytes: 0 };

  /** Save (replace) one checkpoint. */
  async save(sessionId: string, state: unknown): Promise<void> {
    const value = JSON.stringify(state ?? null);
    this.data.set(sessionId, value);
    this.stats.saves++;
    this.stats.bytes += Buffer.byteLength(value, 'utf8');
  }

  /** Every stored checkpoint, in key order. */
  async loadAll(): Promise<Array<{ sessionId: string; state: unknown }>> {
    return [...this.data.keys()].sort().map((sessionId) => ({ sessionId, state: JSON.parse(this.data.get(sessionId)!) as unknown }));
  }

  /** Remove one checkpoint (unknown ids are ignored). */
  async delete(sessionId: string): Promise<void> {
    this.data.delete(sessionId);
  }

  /** Number of checkpoints held. */
  get size(): number {
    return this.data.size;
  }
}
