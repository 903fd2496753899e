// In-memory rollup state: cells and known connectors, updated incrementally or rebuilt.
import { addStats, emptyStats, type RollupInput, type RollupLevel, type RollupPeriod, type RollupRow, type RollupStats } from './model';
import { contributions, entityOf } from './contrib';
import { flagUnderperforming, type FlagRules } from './flags';
import { buildRows, type KnownConnectors } from './rows';

/** The cells one record changes, with their new values, and the known-connector changes. */
export interface RollupChange {
  cells: Map<string, RollupStats>;
  known: KnownConnectors;
}

/** Rollups of many records; `plan` computes a change without applying it (for atomic batches). */
export class RollupState {
  readonly cells = new Map<string, RollupStats>();
  readonly known: KnownConnectors = {};

  constructor(readonly tz = 'UTC') {}

  /** The new cell values and known-connector lists after adding one record. */
  plan(input: RollupInput): RollupChange {
    const cells = new Map<string, RollupStats>();
    for (const [key, delta] of contributions(input, this.tz)) cells.set(key, addStats(this.cells.get(key) ?? emptyStats(), delta));
    const known: KnownConnectors = {};
    const connector = entityOf(input.session, 'connector');
    for (const level of ['charger', 'site'] as const) {
      const e = entityOf(input.session, level);
      const list = this.known[e] ?? [];
      if (!list.includes(connector)) known[e] = [...list, connector].sort();
    }
    return { cells, known };
  }

  /** Apply a planned change. */
  apply(change: RollupChange): void {
    for (const [k, v] of change.cells) this.cells.set(k, v);
    Object.assign(this.known, change.known);
  }

  /** plan + apply. */
  add(input: RollupInput): void {
    this.apply(this.plan(input));
  }

  /** Report rows for a level and period, with trends; connector rows carry underperforming flags. */
  rows(level: RollupLevel, period: RollupPeriod, rules?: FlagRules): RollupRow[] {
    const rows = buildRows(this.cells, level, period, this.known, this.tz);
    return level === 'connector' ? flagUnderperforming(rows, this.known, rules) : rows;
  }
}
