// Cut a session's usage into slices within which no restriction can change.
import type { LocalClock } from './localtime';
import type { SliceContext } from './restrictions';
import { cutIntervals, splitAtEnergy, type Usage, type UsageInterval } from './usage';

/**
 * Slice the usage at local time-of-day boundaries, elapsed-time thresholds and cumulative
 * energy thresholds; return each slice with the context restrictions are evaluated in.
 */
export function sliceUsage(usage: Usage, clock: LocalClock, minutesOfDay: number[], elapsedCutsMs: number[], energyCutsMWh: number[]): SliceContext[] {
  const cuts = new Set(clock.boundaries(minutesOfDay, usage.startMs, usage.endMs));
  for (const d of elapsedCutsMs) cuts.add(usage.startMs + d);
  const timeCut = cutIntervals(usage.intervals, [...cuts].sort((a, b) => a - b));
  const out: SliceContext[] = [];
  let before = 0;
  const push = (iv: UsageInterval): void => {
    out.push({ local: clock.local(iv.startMs), energyBeforeMWh: before, elapsedMs: iv.startMs - usage.startMs, slice: iv });
    before += iv.energyMWh;
  };
  for (let iv of timeCut) {
    for (const th of energyCutsMWh) {
      if (th > before && th < before + iv.energyMWh) {
        const [a, b] = splitAtEnergy(iv, th - before);
        push(a);
        iv = b;
      }
    }
    push(iv);
  }
  return out;
}
