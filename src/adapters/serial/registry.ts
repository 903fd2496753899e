// Shared, reference-counted resources keyed by port address, so that a port used by several
// nodes is opened once. A released entry may linger briefly: a plain redeploy closes the old
// config node and creates an identical new one, which then picks the open port up again.

interface Entry<T> {
  value: T;
  configKey: string;
  refs: number;
  dispose: (v: T) => Promise<void> | void;
  lingerTimer: NodeJS.Timeout | null;
}

/** A registry of shared resources, each opened once per key and closed after its last user. */
export class SharedRegistry<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly pending = new Map<string, Promise<unknown>>();

  /**
   * Use the resource at `key`, creating it if needed. `configKey` describes its settings: a
   * lingering entry with other settings is closed and recreated; one in use with other settings
   * is an error (two config nodes for one device).
   */
  async acquire(key: string, configKey: string, create: () => T, dispose: (v: T) => Promise<void> | void): Promise<T> {
    // Serialise per key so that a disposal finishes before the same device is opened again.
    const prev = this.pending.get(key) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(async () => {
      const e = this.entries.get(key);
      if (e && e.configKey === configKey) {
        if (e.lingerTimer) clearTimeout(e.lingerTimer);
        e.lingerTimer = null;
        e.refs++;
        return e.value;
      }
      if (e && e.refs > 0) throw new Error(`${key} is already in use with other settings (two config nodes for one port?)`);
      if (e) await this.disposeEntry(key, e);
      const value = create();
      this.entries.set(key, { value, configKey, refs: 1, dispose, lingerTimer: null });
      return value;
    });
    this.pending.set(key, run);
    return run;
  }

  /** Stop using `key`; after the last user the resource closes, after `lingerMs` if > 0. */
  release(key: string, value: T, lingerMs = 0): void {
    const e = this.entries.get(key);
    if (!e || e.value !== value || e.refs === 0) return;
    e.refs--;
    if (e.refs > 0) return;
    if (lingerMs <= 0) {
      void this.disposeEntry(key, e);
      return;
    }
    e.lingerTimer = setTimeout(() => void this.disposeEntry(key, e), lingerMs);
    e.lingerTimer.unref();
  }

  /** Close a lingering (unused) resource now; no effect while it has users. */
  closeIfIdle(key: string, value: T): Promise<void> {
    const e = this.entries.get(key);
    if (!e || e.value !== value || e.refs > 0) return Promise.resolve();
    return this.disposeEntry(key, e);
  }

  /** Users of `key` right now (0 while lingering or absent). */
  refs(key: string): number {
    return this.entries.get(key)?.refs ?? 0;
  }

  /** Whether a resource for `key` is open (in use or lingering). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Close everything now (process shutdown, tests). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.entries].map(([k, e]) => this.disposeEntry(k, e)));
  }

  private async disposeEntry(key: string, e: Entry<T>): Promise<void> {
    if (e.lingerTimer) clearTimeout(e.lingerTimer);
    e.lingerTimer = null;
    if (this.entries.get(key) !== e) return;
    this.entries.delete(key);
    await e.dispose(e.value);
  }
}
