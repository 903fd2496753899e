// Phase-aware water-filling (max-min fair sharing of several resources) on integers.
// Resources are the site phases (and optionally site power); a connector consumes each
// resource with an integer weight per deci-amp (1 on every phase its EV loads, volts×phases
// for power). Everyone admitted starts at its minimum; then, class by class from the highest
// priority, the lowest-filled connectors rise together until they reach their max, the next
// level, or a resource runs out — so a connector below the equal share gets its max and the
// rest share equally, on each phase separately.

import type { BoundBy } from './types';

/** One connector's demand, in deci-amps. */
export interface FillDemand {
  /** Priority class: higher classes fill first. */
  priority: number;
  minDa: number;
  maxDa: number;
  /** Why maxDa is the max: connector_max, cable, ev_draw, fail_safe. */
  maxBound: BoundBy;
  /** Integer weight per dA on each resource (0: not used). */
  weights: number[];
}

/** What one demand got and what bound it. */
export interface FillResult {
  da: number;
  boundBy: BoundBy;
}

/** The bound name for a saturated resource index (0..2 phases, 3 power). */
export function resourceBound(r: number): BoundBy {
  return r === 0 ? 'site_phase_L1' : r === 1 ? 'site_phase_L2' : r === 2 ? 'site_phase_L3' : 'site_power';
}

/** True when every demand's minimum fits in the capacities together. */
export function minimumsFit(demands: readonly FillDemand[], capacity: readonly number[]): boolean {
  for (let r = 0; r < capacity.length; r++) {
    let used = 0;
    for (const d of demands) used += d.minDa * d.weights[r];
    if (used > capacity[r]) return false;
  }
  return true;
}

/** Per-resource weight of the members of `group` that are still open, into `w`. */
function groupWeights(group: readonly number[], open: ReadonlySet<number>, demands: readonly FillDemand[], w: number[]): void {
  for (let r = 0; r < w.length; r++) {
    w[r] = 0;
    for (const i of group) if (open.has(i)) w[r] += demands[i].weights[r];
  }
}

/**
 * Fill `demands` (all admitted: their minimums must fit) within `capacity` per resource.
 * Returns one result per demand, in order. Integer arithmetic only: the sum of weight×dA
 * on a resource never exceeds its capacity.
 */
export function waterFill(demands: readonly FillDemand[], capacity: readonly number[]): FillResult[] {
  const cap = capacity.slice();
  const n = demands.length;
  const x = demands.map((d) => d.minDa);
  const out: FillResult[] = demands.map((d) => ({ da: d.minDa, boundBy: d.maxBound }));
  for (const d of demands) for (let r = 0; r < cap.length; r++) cap[r] -= d.minDa * d.weights[r];
  // Resources a higher class grew on: a lower class stopped there was bound by priority.
  const takenAbove: boolean[] = cap.map(() => false);
  const classes = [...new Set(demands.map((d) => d.priority))].sort((a, b) => b - a);
  // Scratch arrays reused across iterations: a decision runs on every reading, so garbage counts.
  const w = cap.map(() => 0);
  const bottom: number[] = [];
  for (const cls of classes) {
    const open = new Set<number>();
    for (let i = 0; i < n; i++) if (demands[i].priority === cls && x[i] < demands[i].maxDa) open.add(i);
    const grewOn: boolean[] = cap.map(() => false);
    while (open.size > 0) {
      let level = Infinity;
      for (const i of open) level = Math.min(level, x[i]);
      bottom.length = 0;
      let next = Infinity;
      for (const i of open) {
        if (x[i] === level) bottom.push(i);
        else next = Math.min(next, x[i]);
      }
      let step = next - level;
      for (const i of bottom) step = Math.min(step, demands[i].maxDa - x[i]);
      for (let r = 0; r < cap.length; r++) {
        w[r] = 0;
        for (const i of bottom) w[r] += demands[i].weights[r];
      }
      for (let r = 0; r < cap.length; r++) if (w[r] > 0) step = Math.min(step, Math.floor(cap[r] / w[r]));
      for (const i of bottom) x[i] += step;
      for (let r = 0; r < cap.length; r++) {
        cap[r] -= step * w[r];
        if (step > 0 && w[r] > 0) grewOn[r] = true;
      }
      for (const i of bottom) {
        if (x[i] >= demands[i].maxDa) {
          open.delete(i);
          out[i].boundBy = demands[i].maxBound;
        }
      }
      // Whether a resource can lift the group further depends on who is still in it: one that just
      // reached its max no longer weighs (else the last dA would go to a higher connector instead).
      groupWeights(bottom, open, demands, w);
      for (let r = 0; r < cap.length; r++) {
        if (w[r] === 0 || cap[r] >= w[r]) continue;
        // Resource r cannot lift the bottom group one more dA: they are bound by it, and so is
        // everyone of this class above them on r. Why the rest (less than 0.1 A per member of the
        // group) stays unused: given to a higher connector it is the unfairness water-filling
        // exists to prevent; given to some of the group, which ones changes as the building load
        // moves, and in the closed-loop simulation EVs trading 0.1 A back and forth while they
        // followed overshot the limit by 0.05 A.
        for (const i of [...open]) {
          if (demands[i].weights[r] === 0) continue;
          open.delete(i);
          out[i].boundBy = takenAbove[r] ? 'priority' : resourceBound(r);
        }
      }
    }
    for (let r = 0; r < cap.length; r++) if (grewOn[r]) takenAbove[r] = true;
  }
  for (let i = 0; i < n; i++) out[i].da = x[i];
  return out;
}
