// Turn stored cells into report rows: utilisation, average power, shares, trends.
import { bucketRange, previousBucket } from './buckets';
import { parseCellKey } from './contrib';
import type { RollupLevel, RollupPeriod, RollupRow, RollupStats } from './model';

/** Known connectors per charger and site (for utilisation capacity), keyed by entity id. */
export type KnownConnectors = Record<string, string[]>;

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/** Connectors behind an entity: 1 for a connector, the known ones for a charger or site. */
export function connectorCount(level: RollupLevel, entity: string, known: KnownConnectors): number {
  if (level === 'connector') return 1;
  return Math.max(1, known[entity]?.length ?? 1);
}

/** One row from one cell. */
export function toRow(key: string, st: RollupStats, known: KnownConnectors, tz: string): RollupRow {
  const { level, period, bucket, entity } = parseCellKey(key);
  const [a, b] = bucketRange(bucket, period, tz);
  const capacityS = ((b - a) / 1000) * connectorCount(level, entity, known);
  const days = (b - a) / 86_400_000;
  return {
    level, period, bucket, entity, site: entity.split('/')[0],
    sessions: st.sessions, energyWh: st.energyWh, currency: st.currency,
    revenueExclMinor: st.revenueExclMinor, revenueInclMinor: st.revenueInclMinor, costMinor: st.costMinor, marginMinor: st.marginMinor,
    chargingS: st.chargingS,
    utilisation: capacityS > 0 ? round4(Math.min(1, st.chargingS / capacityS)) : 0,
    avgPowerW: st.chargingS > 0 ? Math.round((st.energyWh * 3600) / st.chargingS) : 0,
    abortedShare: st.sessions > 0 ? round4(st.aborted / st.sessions) : 0,
    faultedShare: st.sessions > 0 ? round4(st.faulted / st.sessions) : 0,
    powerLossSessions: st.powerLoss ?? 0,
    unattributedWh: st.unattributedWh ?? 0,
    revenuePerDayMinor: Math.round(st.revenueExclMinor / days),
    ratedPowerW: st.ratedPowerW,
  };
}

function change(now: number, before: number): number | null {
  return before === 0 ? null : round4((now - before) / before);
}

/** Rows of one level and period, sorted by bucket then entity, each with its trend. */
export function buildRows(cells: Iterable<[string, RollupStats]>, level: RollupLevel, period: RollupPeriod, known: KnownConnectors, tz: string): RollupRow[] {
  const prefix = `${level}|${period}|`;
  const rows: RollupRow[] = [];
  for (const [key, st] of cells) if (key.startsWith(prefix)) rows.push(toRow(key, st, known, tz));
  const byKey = new Map(rows.map((r) => [`${r.bucket}|${r.entity}`, r]));
  for (const r of rows) {
    const prevBucket = previousBucket(r.bucket, period, tz);
    const p = byKey.get(`${prevBucket}|${r.entity}`);
    if (!p) continue;
    r.trend = {
      previousBucket: prevBucket,
      sessionsDelta: r.sessions - p.sessions,
      energyWhDelta: r.energyWh - p.energyWh,
      revenueExclMinorDelta: r.revenueExclMinor - p.revenueExclMinor,
      marginMinorDelta: r.marginMinor - p.marginMinor,
      utilisationDelta: round4(r.utilisation - p.utilisation),
      energyChange: change(r.energyWh, p.energyWh),
      revenueChange: change(r.revenueExclMinor, p.revenueExclMinor),
    };
  }
  return rows.sort((x, y) => (x.bucket < y.bucket ? -1 : x.bucket > y.bucket ? 1 : x.entity < y.entity ? -1 : x.entity > y.entity ? 1 : 0));
}
