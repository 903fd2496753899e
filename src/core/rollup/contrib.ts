// What one ledger record adds to the rollups (pure; the adapter sums these into LevelDB).
//
// Counting rules: sessions, money, plugged time, aborted/faulted go to the bucket in which the
// session started; energy and charging time go to the bucket in which each meter period
// started, so a session across midnight feeds both days' energy and utilisation.
// A session is *faulted* when it stopped for meter_fault, or carries a meter_* or implausible:*
// flag; it is *aborted* when it was deauthorized or delivered no energy. A session closed by the
// controller's own power loss (stopReason power_loss, flag recovered:power_loss) is neither: the
// charge point did nothing wrong, so it is counted apart (powerLoss) and not in either share. A
// record closed after a restart with stopReason 'unknown' is judged by the reason the charge point
// had reported (flag stop_reported:<reason>).
// An unattributed record (energy no session can claim) is not a session: its energy goes to
// unattributedWh in the bucket of each of its periods, its cost and margin count as money, and it
// adds nothing to sessions, charging time (utilisation), plugged time or the shares.
import type { Session } from '../types';
import { LocalClock } from '../tariff/localtime';
import { bucketOfLocal } from './buckets';
import { LEVELS, PERIODS, type RollupInput, type RollupLevel, type RollupPeriod, type RollupStats } from './model';

/** Entity id of a session at a level. */
export function entityOf(s: Session, level: RollupLevel): string {
  if (level === 'site') return s.stationId;
  if (level === 'charger') return `${s.stationId}/${s.chargerId}`;
  return `${s.stationId}/${s.chargerId}/${s.connectorId}`;
}

/** Key of one rollup cell: level|period|bucket|entity. */
export function cellKey(level: RollupLevel, period: RollupPeriod, bucket: string, entity: string): string {
  return `${level}|${period}|${bucket}|${entity}`;
}

/** Split a cell key back into its parts. */
export function parseCellKey(key: string): { level: RollupLevel; period: RollupPeriod; bucket: string; entity: string } {
  const [level, period, bucket, ...rest] = key.split('|');
  return { level: level as RollupLevel, period: period as RollupPeriod, bucket, entity: rest.join('|') };
}

/** Whether the session was closed by the controller's own power loss (see header). */
export function isPowerLoss(s: Session): boolean {
  return s.stopReason === 'power_loss' || (s.flags ?? []).includes('recovered:power_loss');
}

/**
 * The stop reason the charge point gave. A record closed after a restart whose stop had been
 * seen says 'unknown' and keeps the reported reason as a flag `stop_reported:<reason>`.
 */
export function reportedStopReason(s: Session): string {
  if ((s.stopReason as string) !== 'unknown') return s.stopReason;
  const f = (s.flags ?? []).find((x) => x.startsWith('stop_reported:'));
  return f ? f.slice('stop_reported:'.length) : 'unknown';
}

/** Whether a session counts as faulted (see header). */
export function isFaulted(s: Session): boolean {
  if (isPowerLoss(s)) return false;
  return reportedStopReason(s) === 'meter_fault' || (s.flags ?? []).some((f) => f.startsWith('meter_') || f.startsWith('implausible'));
}

/** Whether a session counts as aborted (see header). */
export function isAborted(s: Session): boolean {
  if (isPowerLoss(s)) return false;
  return reportedStopReason(s) === 'deauthorized' || s.energyWh === 0;
}

/** Whether the record is unattributed energy rather than a session (shared contract). */
export function isUnattributedRecord(s: Session): boolean {
  return (s as Session & { type?: unknown }).type === 'unattributed';
}

interface Money {
  currency: string | null;
  revenueExclMinor: number;
  revenueInclMinor: number;
  costMinor: number;
  marginMinor: number;
  priced: number;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Read the money figures from a stored pricing result, tolerating older or partial shapes. */
export function moneyOf(pricing: unknown): Money {
  const p = (pricing ?? {}) as { currency?: unknown; revenue?: { total?: { exclVatMinor?: unknown; inclVatMinor?: unknown } }; cost?: { total?: { exclVatMinor?: unknown } }; marginMinor?: unknown };
  if (!p.revenue) return { currency: null, revenueExclMinor: 0, revenueInclMinor: 0, costMinor: 0, marginMinor: 0, priced: 0 };
  const revenueExclMinor = num(p.revenue.total?.exclVatMinor);
  const costMinor = num(p.cost?.total?.exclVatMinor);
  return {
    currency: typeof p.currency === 'string' ? p.currency : null,
    revenueExclMinor,
    revenueInclMinor: num(p.revenue.total?.inclVatMinor),
    costMinor,
    marginMinor: typeof p.marginMinor === 'number' ? p.marginMinor : revenueExclMinor - costMinor,
    priced: 1,
  };
}

/** The deltas one record adds, keyed by cell. Also returns the connector per charger/site seen. */
export function contributions(input: RollupInput, tz: string): Map<string, Partial<RollupStats>> {
  const s = input.session;
  const out = new Map<string, Partial<RollupStats>>();
  const add = (key: string, d: Partial<RollupStats>): void => {
    const prev = out.get(key) ?? {};
    const merged: Partial<RollupStats> = { ...prev };
    for (const [k, v] of Object.entries(d) as Array<[keyof RollupStats, number | string | null]>) {
      if (k === 'currency') merged.currency = (v as string | null) ?? prev.currency ?? null;
      else if (k === 'ratedPowerW') merged.ratedPowerW = Math.max(prev.ratedPowerW ?? 0, v as number);
      else (merged as Record<string, number>)[k] = ((prev as Record<string, number>)[k] ?? 0) + (v as number);
    }
    out.set(key, merged);
  };
  const money = moneyOf(input.pricing);
  const startMs = Date.parse(s.startTime);
  const unattributed = isUnattributedRecord(s);
  const head: Partial<RollupStats> = unattributed
    ? { costMinor: money.costMinor, marginMinor: -money.costMinor, currency: money.currency }
    : {
      sessions: 1,
      pluggedS: s.durationS,
      aborted: isAborted(s) ? 1 : 0,
      faulted: isFaulted(s) ? 1 : 0,
      powerLoss: isPowerLoss(s) ? 1 : 0,
      ...money,
    };
  const periods = s.periods ?? [];
  // One clock per session: offsets come from Intl once, then plain arithmetic per period.
  const ends = periods.map((p) => Date.parse(p.start));
  const clock = new LocalClock(tz, Math.min(startMs, ...ends), Math.max(startMs, ...ends));
  const local = (t: number): number => t + clock.offset(t);
  const energy = new Map<string, Partial<RollupStats>>();
  const feed = (t: number, energyWh: number, chargingS: number): void => {
    for (const period of PERIODS) {
      const k = `${period}|${bucketOfLocal(local(t), period)}`;
      const e = energy.get(k) ?? {};
      if (unattributed) e.unattributedWh = (e.unattributedWh ?? 0) + energyWh;
      else {
        e.energyWh = (e.energyWh ?? 0) + energyWh;
        e.chargingS = (e.chargingS ?? 0) + chargingS;
      }
      energy.set(k, e);
    }
  };
  if (periods.length === 0) feed(startMs, s.energyWh, s.chargingTimeS);
  periods.forEach((p, i) => feed(ends[i], p.energyWh, p.chargingS));
  for (const level of LEVELS) {
    const entity = entityOf(s, level);
    for (const period of PERIODS) add(cellKey(level, period, bucketOfLocal(local(startMs), period), entity), { ...head, ratedPowerW: level === 'connector' ? s.ratedPowerW ?? 0 : 0 });
    for (const [k, e] of energy) {
      const [period, bucket] = k.split('|') as [RollupPeriod, string];
      add(cellKey(level, period, bucket, entity), e);
    }
  }
  return out;
}
