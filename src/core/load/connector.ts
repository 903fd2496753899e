// Per-connector runtime state: what the EV is doing (from charger events or IEC 61851 CP
// states), which phases it loads (from its own meter), its measured draw, and the setpoint
// history the ramp and rotation rules need.

import type { ChargerEvent, ChargerEventName } from '../contract/charger-event';
import type { BoundBy, ConnectorConfig, ConnectorState, CurrentSample, Phase } from './types';

/** A charger event or CP state: the one definition of the message contract. */
export type { ChargerEvent } from '../contract/charger-event';

/** Mutable runtime of one connector. */
export interface ConnectorRuntime {
  cfg: Required<Omit<ConnectorConfig, 'cableMaxCurrentA' | 'meterId'>> & Pick<ConnectorConfig, 'cableMaxCurrentA' | 'meterId'>;
  state: ConnectorState;
  /** Phases the EV loads: site phases, 1-based. */
  sitePhases: Phase[];
  /** Last connector-meter reading, currents already in site-phase order. */
  meter?: CurrentSample;
  /** The setpoint last emitted, dA. */
  setpointDa: number;
  boundBy: BoundBy;
  /** When the setpoint last went from 0 to >0 or back (or the EV plugged in), ms. */
  switchedAtMs: number;
  /** We paused this EV (it ran, then got 0): it waits the minimum off-time before it may start again. */
  pausedByUs: boolean;
  /** When the setpoint was last raised, and by how much (dA): pending until the EV follows. */
  lastIncreaseMs: number;
  lastIncreaseDa: number;
  /** When the setpoint was last lowered, and from what (dA): the EV may still draw that for a while. */
  lastDecreaseMs: number;
  decreasedFromDa: number;
  /** Cap from the EV's measured draw (EVs that take less than offered), dA. */
  evCapDa?: number;
}

/** The site phases a connector's wiring gives an EV using `phases` phases. */
export function wiredPhases(cfg: Pick<ConnectorConfig, 'phases' | 'phase'>, phases: 1 | 3 = cfg.phases): Phase[] {
  const first = cfg.phase ?? 1;
  if (phases === 1 || cfg.phases === 1) return [first];
  return [first, ((first % 3) + 1) as Phase, (((first + 1) % 3) + 1) as Phase];
}

/** A fresh runtime: state unknown and the setpoint at the safe current, as after a restart. */
export function newRuntime(cfg: ConnectorConfig, safeDa: number, nowMs: number): ConnectorRuntime {
  const full = { ...cfg, phase: cfg.phase ?? 1, minCurrentA: cfg.minCurrentA ?? 6, priority: cfg.priority ?? 0 } as ConnectorRuntime['cfg'];
  return { cfg: full, state: 'unknown', sitePhases: wiredPhases(full), setpointDa: safeDa, boundBy: 'fail_safe', switchedAtMs: nowMs, pausedByUs: false, lastIncreaseMs: -Infinity, lastIncreaseDa: 0, lastDecreaseMs: -Infinity, decreasedFromDa: 0 };
}

const EVENT_STATE: Record<ChargerEventName, ConnectorState> = {
  plug: 'plugged',
  authorize: 'ready',
  start: 'charging',
  resume: 'charging',
  suspend_ev: 'suspended_ev',
  // The EVSE paused it (possibly us): the EV still wants current.
  suspend_evse: 'ready',
  stop: 'plugged',
  unplug: 'unplugged',
};

/** Apply a charger event or CP state to a connector's runtime. */
export function applyEvent(rt: ConnectorRuntime, ev: ChargerEvent, nowMs: number): void {
  const before = rt.state;
  let next: ConnectorState;
  if ('event' in ev) {
    next = EVENT_STATE[ev.event];
    if (next === undefined) throw new Error(`unknown charger event "${String(ev.event)}"`);
    // An authorisation before the plug, or a plug after it, must not lose the other.
    if (ev.event === 'plug' && before === 'ready') next = 'ready';
  } else if ('cpState' in ev) {
    const cp = ev.cpState;
    if (cp === 'A') next = 'unplugged';
    // B after C: the EV stopped by itself, unless we paused it (setpoint 0), then it still wants current.
    else if (cp === 'B') next = before === 'charging' ? (rt.setpointDa === 0 ? 'ready' : 'suspended_ev') : before === 'plugged' || before === 'ready' || before === 'suspended_ev' ? before : 'ready';
    else if (cp === 'C' || cp === 'D') next = 'charging';
    else if (cp === 'E' || cp === 'F') next = 'faulted';
    else throw new Error(`unknown CP state "${String(cp)}"`);
  } else {
    throw new Error('charger event needs "event" or "cpState"');
  }
  if (ev.phases === 1 || ev.phases === 3) rt.sitePhases = wiredPhases({ phases: rt.cfg.phases, phase: ev.phase ?? rt.cfg.phase }, ev.phases);
  if (next === before) return;
  rt.state = next;
  if (next === 'unplugged' || ((before === 'unplugged' || before === 'unknown') && next !== 'faulted')) {
    // A new car: forget what the last one did.
    rt.sitePhases = ev.phases ? rt.sitePhases : wiredPhases(rt.cfg);
    rt.evCapDa = undefined;
    rt.switchedAtMs = nowMs;
    rt.pausedByUs = false;
  }
}

/** Store a connector-meter reading in site-phase order and learn the EV's phases from it. */
export function applyConnectorReading(rt: ConnectorRuntime, currentA: (number | null)[], sample: Omit<CurrentSample, 'currentA'>): void {
  const site: number[] = [0, 0, 0];
  const wired = wiredPhases(rt.cfg);
  if (rt.cfg.phases === 1) site[wired[0] - 1] = Math.max(0, ...currentA.map((a) => a ?? 0));
  else wired.forEach((p, k) => (site[p - 1] = currentA[k] ?? 0));
  rt.meter = { ...sample, currentA: site };
  const loaded = wired.filter((p) => site[p - 1] >= 1);
  if (loaded.length === 0) return;
  if (rt.state === 'unknown') rt.state = 'charging';
  // A 1-phase car on a 3-phase connector: only its phase counts against the site limit.
  const idle = wired.filter((p) => site[p - 1] <= 0.5);
  if (loaded.length === 1 && idle.length === wired.length - 1) rt.sitePhases = loaded;
  else if (loaded.length === wired.length) rt.sitePhases = wired;
}

/** Whether the EV wants a share of the site's current. */
export function wantsCurrent(rt: ConnectorRuntime): boolean {
  return rt.state === 'ready' || rt.state === 'charging' || rt.state === 'suspended_ev' || rt.state === 'unknown';
}

/**
 * The EV's draw per site phase in dA: measured when the connector meter is fresh, else the
 * setpoint if charging (or the setpoint it was just lowered from, which it may still draw
 * while following), else 0.
 */
export function drawDa(rt: ConnectorRuntime, nowMs: number, meterTimeoutMs: number, evResponseMs: number): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  if (rt.meter && nowMs - rt.meter.atMs <= meterTimeoutMs) {
    for (let p = 0; p < 3; p++) out[p] = Math.floor((rt.meter.currentA[p] ?? 0) * 10);
    return out;
  }
  // Only a charging EV is assumed to draw its setpoint. Assuming more than an EV draws would
  // under-estimate the building load and over-allocate; assuming less only wastes current.
  if (rt.state !== 'charging') return out;
  const da = nowMs - rt.lastDecreaseMs < evResponseMs ? Math.max(rt.setpointDa, rt.decreasedFromDa) : rt.setpointDa;
  for (const p of rt.sitePhases) out[p - 1] = da;
  return out;
}
