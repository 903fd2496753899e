// A closed-loop site simulation for the load controller: EV models behind chargers that apply
// setpoints (and fall back to the safe current when a setpoint expires), a building load, a
// site meter and optional connector meters, stepped on a simulated clock.
import { EvModel, type EvSpec } from '../../hardware/simulator/ev';
import { loadConfig, type LoadConfigInput } from '../../src/core/load/config';
import { LoadController } from '../../src/core/load/controller';
import type { Setpoint } from '../../src/core/load/types';

/** A car arriving at a connector (plug + authorise); it leaves at `leaveMs` if given. */
export interface Arrival {
  atMs: number;
  connectorId: string;
  ev: EvSpec;
  leaveMs?: number;
}

/** The simulation's inputs. */
export interface SimSpec {
  config: LoadConfigInput;
  /** Building load per phase at a time, A. */
  building: (tMs: number) => [number, number, number];
  arrivals: Arrival[];
  durationMs: number;
  stepMs?: number;
  /** Give the controller each connector's meter readings (connector config needs meterId). */
  connectorMeters?: boolean;
  /** The site meter sends nothing while this is true. */
  siteMeterDown?: (tMs: number) => boolean;
  /** The controller is dead (decides nothing) while this is true. */
  controllerDown?: (tMs: number) => boolean;
}

/** What happened at one step. */
export interface Tick {
  tMs: number;
  siteA: [number, number, number];
  buildingA: [number, number, number];
  /** What each connector's charger offers now, by connector id, A. */
  offeredA: Record<string, number>;
  /** Setpoints of this step (null when the controller did not decide). */
  setpoints: Setpoint[] | null;
  failSafe: boolean;
  evs: Record<string, EvModel>;
}

/** Run the simulation and return every step. */
export function runSim(spec: SimSpec): Tick[] {
  const cfg = loadConfig(spec.config);
  const stepMs = spec.stepMs ?? 1000;
  const wall0 = Date.UTC(2026, 10, 25, 12);
  const ctl = new LoadController(cfg, 0);
  const evs: Record<string, EvModel> = {};
  const drawing: Record<string, boolean> = {};
  // The charger side: the last setpoint heard and until when it holds.
  const heard: Record<string, { currentA: number; untilMs: number }> = {};
  for (const sp of ctl.failSafe(0, wall0, 'restart')) heard[sp.connectorId] = { currentA: sp.currentA, untilMs: Date.parse(sp.validUntil) - wall0 };
  // The chargers report their CP state on start-up: empty connectors are A.
  for (const c of cfg.connectors) if (!spec.arrivals.some((a) => a.connectorId === c.id && a.atMs <= stepMs)) ctl.event({ connectorId: c.id, cpState: 'A' }, 0);
  const ticks: Tick[] = [];
  for (let t = stepMs; t <= spec.durationMs; t += stepMs) {
    for (const a of spec.arrivals) {
      if (a.atMs > t - stepMs && a.atMs <= t) {
        evs[a.connectorId] = new EvModel(a.ev);
        ctl.event({ connectorId: a.connectorId, event: 'plug' }, t);
        ctl.event({ connectorId: a.connectorId, event: 'authorize' }, t);
      }
      if (a.leaveMs !== undefined && a.leaveMs > t - stepMs && a.leaveMs <= t) {
        delete evs[a.connectorId];
        drawing[a.connectorId] = false;
        ctl.event({ connectorId: a.connectorId, cpState: 'A' }, t);
      }
    }
    // The chargers offer what they last heard, or the safe current once it has expired.
    const offeredA: Record<string, number> = {};
    for (const c of cfg.connectors) {
      const h = heard[c.id];
      offeredA[c.id] = t <= h.untilMs ? h.currentA : cfg.tuning.safeCurrentA;
      const ev = evs[c.id];
      if (ev && ev.lastOfferA !== offeredA[c.id]) ev.offer(offeredA[c.id], t);
    }
    const buildingA = spec.building(t);
    const siteA: [number, number, number] = [...buildingA];
    for (const c of cfg.connectors) {
      const ev = evs[c.id];
      if (!ev) continue;
      const d = ev.draw(t);
      for (let p = 0; p < 3; p++) siteA[p] += d[p];
      const isDrawing = d.some((a) => a > 0);
      // The charger reports IEC 61851 state changes: C when current flows, B when the EV stops.
      if (isDrawing !== (drawing[c.id] ?? false)) ctl.event({ connectorId: c.id, cpState: isDrawing ? 'C' : 'B' }, t);
      drawing[c.id] = isDrawing;
      if (spec.connectorMeters && c.meterId) ctl.connectorReading(c.meterId, { currentA: d, atMs: t });
      ev.step(t, stepMs);
    }
    for (const c of cfg.connectors) if (spec.connectorMeters && c.meterId && !evs[c.id]) ctl.connectorReading(c.meterId, { currentA: [0, 0, 0], atMs: t });
    const rounded = siteA.map((a) => Math.round(a * 100) / 100) as [number, number, number];
    if (!spec.siteMeterDown?.(t)) ctl.siteReading({ currentA: rounded, atMs: t });
    let setpoints: Setpoint[] | null = null;
    // The node decides on every reading, and its watchdog decides when readings stop; both are a decide() here.
    if (!spec.controllerDown?.(t)) {
      setpoints = ctl.decide(t, wall0 + t);
      for (const sp of setpoints) heard[sp.connectorId] = { currentA: sp.currentA, untilMs: Date.parse(sp.validUntil) - wall0 };
    }
    ticks.push({ tMs: t, siteA: rounded, buildingA, offeredA, setpoints, failSafe: ctl.failSafeReason !== null, evs: { ...evs } });
  }
  return ticks;
}

/** Deterministic noise in [-amp, amp] (a small LCG), for building load. */
export function noise(seed: number, amp: number): (tMs: number) => number {
  return (tMs) => {
    let x = (Math.floor(tMs / 1000) * 1103515245 + seed * 12345) >>> 0;
    x = (x * 1103515245 + 12345) >>> 0;
    return Math.round(((x / 0xffffffff) * 2 - 1) * amp * 100) / 100;
  };
}
