// Rollup data: per entity (connector, charger, site) and calendar bucket (day, week, month).

/** Aggregation level. */
export type RollupLevel = 'connector' | 'charger' | 'site';
/** Calendar bucket size. */
export type RollupPeriod = 'day' | 'week' | 'month';

/** Every level and period, in the order rollups are written. */
export const LEVELS: readonly RollupLevel[] = ['connector', 'charger', 'site'];
export const PERIODS: readonly RollupPeriod[] = ['day', 'week', 'month'];

/** Additive counters of one entity in one bucket; every field sums across records. */
export interface RollupStats {
  sessions: number;
  /** Sessions that carried pricing. */
  priced: number;
  energyWh: number;
  revenueExclMinor: number;
  revenueInclMinor: number;
  costMinor: number;
  marginMinor: number;
  /** Charging seconds delivered in this bucket (from the session's periods). */
  chargingS: number;
  /** Plugged-in seconds of sessions that started in this bucket. */
  pluggedS: number;
  aborted: number;
  faulted: number;
  /** Sessions closed by the controller's own power loss (not in aborted/faulted). */
  powerLoss: number;
  /** Energy of unattributed records (no session could claim it), Wh; not in energyWh. */
  unattributedWh: number;
  /** Highest rated power seen on this entity, W (not summed). */
  ratedPowerW: number;
  currency: string | null;
}

/** One record's input to the rollups: the session and its pricing (as stored). */
export interface RollupInput {
  session: import('../types').Session;
  pricing?: unknown;
}

/** A rollup row as reports and dashboards see it. */
export interface RollupRow {
  level: RollupLevel;
  period: RollupPeriod;
  /** "2024-01-15", "2024-W03" (ISO week) or "2024-01". */
  bucket: string;
  /** site = stationId; charger = stationId/chargerId; connector = stationId/chargerId/connectorId. */
  entity: string;
  site: string;
  sessions: number;
  energyWh: number;
  currency: string | null;
  revenueExclMinor: number;
  revenueInclMinor: number;
  costMinor: number;
  marginMinor: number;
  chargingS: number;
  /** Charging time / (bucket length × connectors), 0..1. */
  utilisation: number;
  /** Energy / charging time, W. */
  avgPowerW: number;
  abortedShare: number;
  faultedShare: number;
  /** Sessions closed by the controller's own power loss; they count in neither share. */
  powerLossSessions: number;
  /** Energy no session could claim (unattributed records), Wh; not in energyWh or utilisation. */
  unattributedWh: number;
  /** Revenue excl. VAT per day of the bucket, minor units. */
  revenuePerDayMinor: number;
  ratedPowerW: number;
  /** Change against the previous bucket of the same entity (absent when there is none). */
  trend?: RollupTrend;
  /** Underperforming flags (connector rows only), see flags.ts. */
  flags?: string[];
}

/** Period-over-period change: absolute deltas and relative change (null when the base is 0). */
export interface RollupTrend {
  previousBucket: string;
  sessionsDelta: number;
  energyWhDelta: number;
  revenueExclMinorDelta: number;
  marginMinorDelta: number;
  utilisationDelta: number;
  energyChange: number | null;
  revenueChange: number | null;
}

/** Empty counters. */
export function emptyStats(): RollupStats {
  return { sessions: 0, priced: 0, energyWh: 0, revenueExclMinor: 0, revenueInclMinor: 0, costMinor: 0, marginMinor: 0, chargingS: 0, pluggedS: 0, aborted: 0, faulted: 0, powerLoss: 0, unattributedWh: 0, ratedPowerW: 0, currency: null };
}

/** a + b (counters summed, rated power maxed, currency kept). */
export function addStats(a: RollupStats, b: Partial<RollupStats>): RollupStats {
  return {
    sessions: a.sessions + (b.sessions ?? 0),
    priced: a.priced + (b.priced ?? 0),
    energyWh: a.energyWh + (b.energyWh ?? 0),
    revenueExclMinor: a.revenueExclMinor + (b.revenueExclMinor ?? 0),
    revenueInclMinor: a.revenueInclMinor + (b.revenueInclMinor ?? 0),
    costMinor: a.costMinor + (b.costMinor ?? 0),
    marginMinor: a.marginMinor + (b.marginMinor ?? 0),
    chargingS: a.chargingS + (b.chargingS ?? 0),
    pluggedS: a.pluggedS + (b.pluggedS ?? 0),
    aborted: a.aborted + (b.aborted ?? 0),
    faulted: a.faulted + (b.faulted ?? 0),
    // Cells stored before these counters existed lack them.
    powerLoss: (a.powerLoss ?? 0) + (b.powerLoss ?? 0),
    unattributedWh: (a.unattributedWh ?? 0) + (b.unattributedWh ?? 0),
    ratedPowerW: Math.max(a.ratedPowerW, b.ratedPowerW ?? 0),
    currency: a.currency ?? b.currency ?? null,
  };
}
