// Admission: which EVs may charge now. An EV is admitted only if every admitted EV keeps its
// minimum current on every phase. When not all fit, EVs take turns: a started EV keeps its
// slot for the minimum on-time, a paused EV stays off for the minimum off-time (both spare
// the contactors), and after that the longest-waiting EV goes before the longest-running one.

import type { BoundBy } from './types';
import type { FillDemand } from './waterfill';

/** One EV that wants current. */
export interface AdmissionCandidate {
  demand: FillDemand;
  /** It holds a non-zero setpoint now. */
  running: boolean;
  /** When it last started or paused (or plugged in, if it never ran), ms. */
  switchedAtMs: number;
  /** It ran and was paused by the controller (only then does the minimum off-time apply). */
  pausedByUs: boolean;
  /** Its state is not known yet (after a restart): admitted after every known EV of its class. */
  provisional?: boolean;
}

/** Rotation times, ms. */
export interface RotationTimes {
  minOnMs: number;
  minOffMs: number;
}

/** The outcome: admitted candidate indexes, and why each other one was refused. */
export interface Admission {
  admitted: Set<number>;
  refused: Map<number, BoundBy>;
}

/** Within a priority class: 0 protected runners, 1 eligible waiters, 2 runners past their on-time, 3 paused EVs inside their off-time. */
function group(c: AdmissionCandidate, nowMs: number, t: RotationTimes): number {
  const age = nowMs - c.switchedAtMs;
  if (c.running) return age < t.minOnMs ? 0 : 2;
  return !c.pausedByUs || age >= t.minOffMs ? 1 : 3;
}

/** Admit candidates greedily in rotation order while all minimums fit in `capacity`. */
export function admit(cands: readonly AdmissionCandidate[], capacity: readonly number[], nowMs: number, times: RotationTimes): Admission {
  const R = capacity.length;
  const keyed = cands.map((c, i) => ({ i, c, g: group(c, nowMs, times) }));
  keyed.sort((a, b) => {
    if (a.c.demand.priority !== b.c.demand.priority) return b.c.demand.priority - a.c.demand.priority;
    if (Boolean(a.c.provisional) !== Boolean(b.c.provisional)) return a.c.provisional ? 1 : -1;
    if (a.g !== b.g) return a.g - b.g;
    // Waiters: longest waiting first. Runners past their time: the most recent starter keeps its slot.
    const t = a.g === 2 ? b.c.switchedAtMs - a.c.switchedAtMs : a.c.switchedAtMs - b.c.switchedAtMs;
    return t !== 0 ? t : a.i - b.i;
  });
  const used = new Array<number>(R).fill(0);
  let cls = keyed.length ? keyed[0].c.demand.priority : 0;
  // Minimums admitted from strictly higher classes, to tell "priority" from plain "admission".
  const usedAtClassStart = used.slice();
  const admitted = new Set<number>();
  const refused = new Map<number, BoundBy>();
  for (const k of keyed) {
    const d = k.c.demand;
    if (d.priority !== cls) {
      cls = d.priority;
      for (let r = 0; r < R; r++) usedAtClassStart[r] = used[r];
    }
    let fits = true;
    let fitsWithoutHigher = true;
    for (let r = 0; r < R; r++) {
      const need = d.minDa * d.weights[r];
      if (need === 0) continue;
      if (used[r] + need > capacity[r]) fits = false;
      if (used[r] - usedAtClassStart[r] + need > capacity[r]) fitsWithoutHigher = false;
    }
    if (k.g === 3) {
      // Inside its off-time: it waits, whatever the room; say why it would wait anyway.
      refused.set(k.i, fits || !fitsWithoutHigher ? 'admission' : 'priority');
    } else if (fits) {
      admitted.add(k.i);
      for (let r = 0; r < R; r++) used[r] += d.minDa * d.weights[r];
    } else {
      refused.set(k.i, fitsWithoutHigher ? 'priority' : 'admission');
    }
  }
  return { admitted, refused };
}
