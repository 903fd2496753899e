// Accepted downstream configurations, one file per kind, replaced atomically and versioned.
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { writeFileAtomic } from '../fs/atomic-file';
import path from 'node:path';
import type { ConfigKind } from '../../core/sync/topics';

/** A stored configuration. */
export interface StoredConfig {
  version: number;
  payload: Record<string, unknown>;
  /** ISO 8601 UTC time it was accepted. */
  acceptedAt: string;
}

/** Files `config-<kind>.json` in a data directory, written with temp file + fsync + rename + dir fsync. */
export class ConfigStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private file(kind: ConfigKind): string {
    return path.join(this.dir, `config-${kind}.json`);
  }

  /** The accepted configuration of a kind, or null if none was ever accepted. */
  current(kind: ConfigKind): StoredConfig | null {
    const f = this.file(kind);
    if (!existsSync(f)) return null;
    const value = JSON.parse(readFileSync(f, 'utf8')) as StoredConfig;
    if (!Number.isSafeInteger(value.version)) throw new Error(`${f}: no version`);
    return value;
  }

  /** Replace the configuration atomically: after a crash either the old or the new one is there, whole. */
  save(kind: ConfigKind, config: StoredConfig): void {
    writeFileAtomic(this.file(kind), `${JSON.stringify(config, null, 2)}\n`);
  }

}
