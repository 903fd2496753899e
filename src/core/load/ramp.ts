// From targets to setpoints: decreases at once, increases in limited steps with hysteresis,
// and only into headroom the site meter actually shows (make before break: an EV starts or
// grows only after the others have visibly made room, and a raise counts as used until the
// EV has had time to follow it).

import { wantsCurrent, type ConnectorRuntime } from './connector';
import type { BoundBy } from './types';

/** A connector's target from admission and water-filling. */
export interface Target {
  rt: ConnectorRuntime;
  da: number;
  boundBy: BoundBy;
  minDa: number;
  /** Integer weight per dA on each resource (as in waterfill). */
  weights: number[];
}

/** Ramp parameters in dA and ms. */
export interface RampParams {
  stepDa: number;
  hysteresisDa: number;
  intervalMs: number;
  evResponseMs: number;
}

/** Bounds that come from sharing the site: a setpoint may stay in the reserve above them for a while. */
const SHARED: ReadonlySet<string> = new Set(['site_phase_L1', 'site_phase_L2', 'site_phase_L3', 'site_power', 'priority', 'fair_share']);

/**
 * Choose which decreases may wait: a setpoint at most the hysteresis above a shared-capacity
 * target stays put, as long as every resource's total overshoot fits in its reserve. This
 * dead band keeps measurement noise from moving setpoints; a real drop still acts at once.
 */
function holds(targets: Target[], reserve: number[], bandDa: number): Set<Target> {
  const held = new Set<Target>();
  // An EV waiting to start needs its whole minimum of room: no dead band until it runs.
  if (targets.some((t) => t.da >= t.minDa && t.rt.setpointDa < t.minDa)) return held;
  const excess = reserve.map(() => 0);
  for (const t of targets) {
    const over = t.rt.setpointDa - t.da;
    if (t.da === 0 || over <= 0 || over > bandDa || !SHARED.has(t.boundBy)) continue;
    if (t.weights.some((w, r) => over * w > reserve[r])) continue;
    held.add(t);
    t.weights.forEach((w, r) => (excess[r] += over * w));
  }
  for (let r = 0; r < reserve.length; r++) {
    if (excess[r] <= reserve[r]) continue;
    for (const t of held) if (t.weights[r] > 0) held.delete(t);
  }
  return held;
}

/**
 * Turn targets into new setpoints (written into each runtime). `headroom` is, per resource,
 * the limit less the reserve, minus the measured site use (same units as the weights); it is
 * consumed by the raises still pending and by the ones made here. `reserve` is per resource.
 */
export function applyRamp(targets: Target[], headroom: number[], reserve: number[], nowMs: number, p: RampParams): void {
  const room = headroom.slice();
  for (const t of targets) {
    const rt = t.rt;
    if (nowMs - rt.lastIncreaseMs < p.evResponseMs) for (let r = 0; r < room.length; r++) room[r] -= rt.lastIncreaseDa * t.weights[r];
  }
  const held = holds(targets, reserve, p.hysteresisDa);
  const raises: Target[] = [];
  for (const t of targets) {
    const rt = t.rt;
    if (held.has(t)) {
      rt.boundBy = t.boundBy;
    } else if (t.da <= rt.setpointDa) {
      if (t.da < rt.setpointDa) {
        rt.lastDecreaseMs = nowMs;
        rt.decreasedFromDa = rt.setpointDa;
      }
      // Down at once; an equal target keeps its explanation fresh.
      if (t.da === 0 && rt.setpointDa > 0) {
        rt.switchedAtMs = nowMs;
        rt.pausedByUs = wantsCurrent(rt);
      }
      rt.setpointDa = t.da;
      rt.boundBy = t.boundBy;
    } else {
      raises.push(t);
    }
  }
  // Paused EVs waiting to start first, then the lowest setpoints: the neediest get the headroom.
  raises.sort((a, b) => b.rt.cfg.priority - a.rt.cfg.priority || a.rt.setpointDa - b.rt.setpointDa);
  for (const t of raises) {
    const rt = t.rt;
    const from = rt.setpointDa;
    // Below the minimum (paused, or a safe current under it) the EV must jump to at least its minimum.
    const starting = from < t.minDa;
    if (!starting && t.da - from < p.hysteresisDa) continue; // hold: keeps the bound that set it
    if (!starting && nowMs - rt.lastIncreaseMs < p.intervalMs) {
      rt.boundBy = 'ramp';
      continue;
    }
    let to = starting ? Math.min(t.da, Math.max(t.minDa, p.stepDa)) : Math.min(t.da, from + p.stepDa);
    for (let r = 0; r < room.length; r++) {
      if (t.weights[r] > 0) to = Math.min(to, from + Math.floor(Math.max(0, room[r]) / t.weights[r]));
    }
    if (starting ? to < t.minDa : to - from < Math.min(p.hysteresisDa, t.da - from)) {
      // A current under the minimum (a low safe current) is no current: drop it, without an off-time.
      if (starting && from > 0) rt.switchedAtMs = nowMs;
      if (starting) rt.setpointDa = 0;
      rt.boundBy = 'ramp';
      continue;
    }
    for (let r = 0; r < room.length; r++) room[r] -= (to - from) * t.weights[r];
    if (from === 0) {
      rt.switchedAtMs = nowMs;
      rt.pausedByUs = false;
    }
    rt.setpointDa = to;
    rt.boundBy = to === t.da ? t.boundBy : 'ramp';
    rt.lastIncreaseMs = nowMs;
    rt.lastIncreaseDa = to - from;
  }
}
