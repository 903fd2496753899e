// The "underperforming" flag per charge point (connector rows), with documented rules.
//
// Within one site and one bucket, each known connector (a connector without sessions counts
// as zero) is compared with the site's median:
//   low_utilisation  utilisation < 50 % of the site median, when the median is at least 5 %;
//   low_revenue      revenue per day < 50 % of the site median, when the median is above 0;
//   high_fault_rate  at least 3 sessions and (aborted + faulted) / sessions ≥ 30 % (sessions closed
//                    by the controller's own power loss count in neither, see contrib.ts);
//   low_power        at least 30 min charging and average power < 50 % of the rated power.
// A site with a single connector has nothing to compare with: only the last two rules apply.
import type { RollupRow } from './model';
import type { KnownConnectors } from './rows';

/** Thresholds, overridable for a site with unusual patterns. */
export interface FlagRules {
  medianFraction: number;
  minMedianUtilisation: number;
  minSessionsForRate: number;
  maxProblemShare: number;
  minChargingSForPower: number;
  ratedPowerFraction: number;
}

/** Default thresholds (see header). */
export const DEFAULT_FLAG_RULES: FlagRules = { medianFraction: 0.5, minMedianUtilisation: 0.05, minSessionsForRate: 3, maxProblemShare: 0.3, minChargingSForPower: 1800, ratedPowerFraction: 0.5 };

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Set `flags` on connector rows (mutates and returns them). */
export function flagUnderperforming(rows: RollupRow[], known: KnownConnectors, rules: FlagRules = DEFAULT_FLAG_RULES): RollupRow[] {
  const groups = new Map<string, RollupRow[]>();
  for (const r of rows) {
    if (r.level !== 'connector') continue;
    const k = `${r.site}|${r.bucket}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  for (const [k, group] of groups) {
    const site = k.split('|')[0];
    const connectors = Math.max(group.length, known[site]?.length ?? 0);
    const zeros = new Array<number>(connectors - group.length).fill(0);
    const medUtil = median([...group.map((r) => r.utilisation), ...zeros]);
    const medRev = median([...group.map((r) => r.revenuePerDayMinor), ...zeros]);
    for (const r of group) {
      const flags: string[] = [];
      if (connectors > 1 && medUtil >= rules.minMedianUtilisation && r.utilisation < rules.medianFraction * medUtil) flags.push('low_utilisation');
      if (connectors > 1 && medRev > 0 && r.revenuePerDayMinor < rules.medianFraction * medRev) flags.push('low_revenue');
      if (r.sessions >= rules.minSessionsForRate && r.abortedShare + r.faultedShare >= rules.maxProblemShare) flags.push('high_fault_rate');
      if (r.ratedPowerW > 0 && r.chargingS >= rules.minChargingSForPower && r.avgPowerW < rules.ratedPowerFraction * r.ratedPowerW) flags.push('low_power');
      r.flags = flags;
    }
  }
  return rows;
}
