// The runtime side of versioned node configs: every node upgrades its saved properties through
// resources/migrations.js (shared with the editor) before decoding them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NodeDef } from './red';

interface Migrations {
  migrate(def: Record<string, unknown>): number;
  currentVersion(type: string): number;
  types: string[];
}

/** The package's resources/ directory (from src/ in tests, dist/src/ when built). */
const RESOURCES = ((): string => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'resources', 'migrations.js'))) return path.join(dir, 'resources');
    if (path.dirname(dir) === dir) throw new Error('resources/migrations.js not found');
  }
})();

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain JS module shared with the editor
const migrations = require(path.join(RESOURCES, 'migrations.js')) as Migrations;

/** The config version this release writes for a node type. */
export const currentConfigVersion = (type: string): number => migrations.currentVersion(type);

/** The node types that have a migration chain. */
export const MIGRATED_TYPES: readonly string[] = migrations.types;

/**
 * The node's saved properties upgraded, in place, to the current version. In place on purpose:
 * Node-RED hands each node its own copy, with hidden properties (the flow it belongs to) that a
 * spread copy would lose. Throws for a config saved by a newer release: running it with an older
 * one could misread its fields.
 */
export function migrateDef<T extends NodeDef>(def: T): T {
  const from = migrations.migrate(def as Record<string, unknown>);
  const current = migrations.currentVersion(def.type);
  if (from > current) throw new Error(`${def.type}: this config was saved by a newer release (config version ${from}; this release knows up to ${current}): update node-red-contrib-chargeledger`);
  return def;
}
