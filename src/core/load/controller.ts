// The load controller: keeps the connectors' state and decides every setpoint from the latest
// site reading. Pure: time comes in as arguments (monotonic `nowMs` for ages and ramps,
// wall-clock `wallMs` for schedules and validity), nothing is scheduled.

import { admit, type AdmissionCandidate } from './admission';
import { applyConnectorReading, applyEvent, drawDa, newRuntime, wantsCurrent, type ChargerEvent, type ConnectorRuntime } from './connector';
import { effectiveLimit, parseLimitsConfig, type LimitsConfig } from './limits';
import { PeakHold } from './peak-hold';
import { applyRamp, type Target } from './ramp';
import type { BoundBy, ConnectorState, CurrentSample, LoadConfig, Phase, Setpoint } from './types';
import { waterFill, type FillDemand } from './waterfill';

/** Amperes to deci-amps, rounding down (for limits: never more than configured). */
const floorDa = (a: number): number => Math.floor(a * 10 + 1e-9);
/** Amperes to deci-amps, rounding up (for measured use: never less than measured). */
const ceilDa = (a: number): number => Math.ceil(a * 10 - 1e-9);

/** A connector's lowest cap in dA and the constraint it comes from (the first named of equal caps). */
function connectorCap(rt: ConnectorRuntime, minDa: number, safeDa: number): { da: number; bound: BoundBy } {
  let da = floorDa(rt.cfg.maxCurrentA);
  let bound: BoundBy = 'connector_max';
  const cableDa = rt.cfg.cableMaxCurrentA === undefined ? undefined : floorDa(rt.cfg.cableMaxCurrentA);
  if (cableDa !== undefined && cableDa < da) {
    da = cableDa;
    bound = 'cable';
  }
  if (rt.evCapDa !== undefined && rt.evCapDa < da) {
    da = rt.evCapDa;
    bound = 'ev_draw';
  }
  if (rt.state === 'suspended_ev' && minDa < da) {
    da = minDa;
    bound = 'ev_draw';
  }
  // After a restart, a connector whose state is not known yet stays at the safe current.
  if (rt.state === 'unknown' && safeDa < da) {
    da = safeDa;
    bound = 'fail_safe';
  }
  return { da, bound };
}

/** Why the controller is in fail-safe, or null when it is not. */
export type FailSafeReason = null | 'restart' | 'no_site_reading' | 'site_meter_stale' | 'site_meter_unhealthy' | 'site_meter_no_current';

/** The allocator with its state; one per load node. */
export class LoadController {
  /** Connector runtimes, in configuration order. */
  readonly connectors: ConnectorRuntime[];
  private readonly byId = new Map<string, ConnectorRuntime>();
  private readonly byMeter = new Map<string, ConnectorRuntime>();
  private site?: CurrentSample;
  private siteHealthy = true;
  private limits?: LimitsConfig;
  private readonly buildingHold: PeakHold;
  /** Why the last decision was fail-safe (null: normal). */
  failSafeReason: FailSafeReason = 'restart';

  constructor(readonly config: LoadConfig, nowMs: number) {
    const safeDa = floorDa(config.tuning.safeCurrentA);
    this.buildingHold = new PeakHold(config.tuning.buildingHoldMs);
    this.connectors = config.connectors.map((c) => newRuntime(c, Math.min(safeDa, this.maxDa(c)), nowMs));
    for (const rt of this.connectors) {
      this.byId.set(rt.cfg.id, rt);
      if (rt.cfg.meterId) this.byMeter.set(rt.cfg.meterId, rt);
    }
  }

  /** A connector's hard max in dA: EVSE rating or cable, whichever is lower. */
  private maxDa(c: { maxCurrentA: number; cableMaxCurrentA?: number }): number {
    return floorDa(Math.min(c.maxCurrentA, c.cableMaxCurrentA ?? Infinity));
  }

  /** Replace the backend's limits (`config/limits` payload); throws on an invalid payload. */
  setLimits(payload: unknown): void {
    this.limits = parseLimitsConfig(payload);
  }

  /** Record a site-meter reading (currents per phase in A). */
  siteReading(sample: CurrentSample): void {
    this.site = sample;
  }

  /** Record the site meter's health: anything but ok means fail-safe. */
  siteHealth(ok: boolean): void {
    this.siteHealthy = ok;
  }

  /** Record a connector-meter reading; returns false if no connector uses that meter id. */
  connectorReading(meterId: string, sample: CurrentSample): boolean {
    const rt = this.byMeter.get(meterId);
    if (!rt) return false;
    applyConnectorReading(rt, sample.currentA, sample);
    return true;
  }

  /** Apply a charger event or CP state; throws for an unknown connector or event. */
  event(ev: ChargerEvent, nowMs: number): void {
    const rt = this.byId.get(String(ev.connectorId));
    if (!rt) throw new Error(`unknown connector "${String(ev.connectorId)}"`);
    applyEvent(rt, ev, nowMs);
  }

  /** What is known about each connector's EV, to carry over a redeploy (not a restart). */
  exportStates(): Record<string, { state: ConnectorState; sitePhases: Phase[]; phases: 1 | 3 }> {
    const out: Record<string, { state: ConnectorState; sitePhases: Phase[]; phases: 1 | 3 }> = {};
    for (const rt of this.connectors) out[rt.cfg.id] = { state: rt.state, sitePhases: rt.sitePhases.slice(), phases: rt.cfg.phases };
    return out;
  }

  /** Take over connector states saved by exportStates(); connectors whose wiring changed start unknown. */
  restoreStates(saved: Record<string, { state: ConnectorState; sitePhases: Phase[]; phases: 1 | 3 }>): void {
    for (const rt of this.connectors) {
      const s = saved[rt.cfg.id];
      if (!s || s.phases !== rt.cfg.phases) continue;
      rt.state = s.state;
      rt.sitePhases = s.sitePhases.slice();
    }
  }

  /** True when a connector with this id is configured. */
  hasConnector(id: string): boolean {
    return this.byId.has(id);
  }

  /** Every connector to the safe current (capped at its own max). */
  failSafe(nowMs: number, wallMs: number, reason: Exclude<FailSafeReason, null>): Setpoint[] {
    const safeDa = floorDa(this.config.tuning.safeCurrentA);
    for (const rt of this.connectors) {
      const to = Math.min(safeDa, this.maxDa(rt.cfg));
      if ((to === 0) !== (rt.setpointDa === 0)) {
        rt.switchedAtMs = nowMs;
        rt.pausedByUs = to === 0;
      }
      if (to > rt.setpointDa) {
        rt.lastIncreaseMs = nowMs;
        rt.lastIncreaseDa = to - rt.setpointDa;
      } else if (to < rt.setpointDa) {
        rt.lastDecreaseMs = nowMs;
        rt.decreasedFromDa = rt.setpointDa;
      }
      rt.setpointDa = to;
      rt.boundBy = 'fail_safe';
    }
    this.failSafeReason = reason;
    return this.output(wallMs);
  }

  /** Decide every setpoint from the latest site reading. */
  decide(nowMs: number, wallMs: number): Setpoint[] {
    const t = this.config.tuning;
    const site = this.site;
    if (!this.siteHealthy) return this.failSafe(nowMs, wallMs, 'site_meter_unhealthy');
    if (!site) return this.failSafe(nowMs, wallMs, 'no_site_reading');
    if (nowMs - site.atMs > t.siteTimeoutMs) return this.failSafe(nowMs, wallMs, 'site_meter_stale');
    if (site.currentA.length < 3 || site.currentA.slice(0, 3).some((a) => typeof a !== 'number' || !Number.isFinite(a))) {
      return this.failSafe(nowMs, wallMs, 'site_meter_no_current');
    }
    this.failSafeReason = null;
    const limit = effectiveLimit(this.config.site, this.limits, wallMs);
    const volts = [0, 1, 2].map((p) => Math.ceil(site.voltageV?.[p] ?? t.nominalVoltageV));
    const siteDa = (site.currentA as number[]).slice(0, 3).map(ceilDa);
    const draws = this.connectors.map((rt) => drawDa(rt, nowMs, t.connectorMeterTimeoutMs, t.evResponseMs));
    // Building load = site measurement − EV draw, per phase (never negative), peak-held.
    const reserveDa = floorDa(t.reserveA);
    const reserve: number[] = [reserveDa, reserveDa, reserveDa];
    const limits: number[] = [0, 1, 2].map((p) => Math.max(0, floorDa(limit.maxCurrentA[p]) - reserveDa));
    const siteUse: number[] = siteDa.slice();
    const building: number[] = [0, 1, 2].map((p) => Math.max(0, siteDa[p] - draws.reduce((s, d) => s + d[p], 0)));
    // Power in units of dA×V (= 0.1 W), so weights stay integers.
    const sitePower = site.powerW !== undefined ? Math.ceil(site.powerW * 10) : siteDa.reduce((s, da, p) => s + da * volts[p], 0);
    const evPower = draws.reduce((s, d) => s + d[0] * volts[0] + d[1] * volts[1] + d[2] * volts[2], 0);
    building.push(Math.max(0, sitePower - evPower));
    const held = this.buildingHold.update(site.atMs, building, nowMs);
    if (limit.maxPowerW !== undefined) {
      reserve.push(reserveDa * (volts[0] + volts[1] + volts[2]));
      limits.push(Math.max(0, Math.floor(limit.maxPowerW * 10) - reserve[3]));
      siteUse.push(sitePower);
    }
    const capacity = limits.map((l, r) => l - held[r]);
    const headroom = limits.map((l, r) => l - siteUse[r]);
    this.updateEvCaps(nowMs);
    const targets: Target[] = [];
    const cands: AdmissionCandidate[] = [];
    const candTarget: Target[] = [];
    for (const rt of this.connectors) {
      const weights = capacity.map((_, r) => (r < 3 ? (rt.sitePhases.includes((r + 1) as 1 | 2 | 3) ? 1 : 0) : rt.sitePhases.reduce((s, p) => s + volts[p - 1], 0)));
      const minDa = floorDa(rt.cfg.minCurrentA);
      const target: Target = { rt, da: 0, boundBy: rt.state === 'plugged' ? 'admission' : 'ev_draw', minDa, weights };
      targets.push(target);
      if (!wantsCurrent(rt)) continue;
      const { da: maxDa, bound: maxBound } = connectorCap(rt, minDa, floorDa(t.safeCurrentA));
      if (maxDa < minDa) {
        target.boundBy = maxBound;
        continue;
      }
      cands.push({ demand: { priority: rt.cfg.priority, minDa, maxDa, maxBound, weights }, running: rt.setpointDa > 0, switchedAtMs: rt.switchedAtMs, pausedByUs: rt.pausedByUs, provisional: rt.state === 'unknown' });
      candTarget.push(target);
    }
    const adm = admit(cands, capacity, nowMs, { minOnMs: t.minOnMs, minOffMs: t.minOffMs });
    const admitted: number[] = [...adm.admitted].sort((a, b) => a - b);
    for (const [i, why] of adm.refused) candTarget[i].boundBy = why;
    const filled = waterFill(admitted.map((i) => cands[i].demand as FillDemand), capacity);
    admitted.forEach((i, k) => {
      candTarget[i].da = filled[k].da;
      candTarget[i].boundBy = filled[k].boundBy;
    });
    applyRamp(targets, headroom, reserve, nowMs, { stepDa: floorDa(t.rampStepA), hysteresisDa: floorDa(t.hysteresisA), intervalMs: t.rampIntervalMs, evResponseMs: t.evResponseMs });
    return this.output(wallMs);
  }

  /** Cap EVs that settled below their offer at their draw plus a margin; lift the cap when they use it. */
  private updateEvCaps(nowMs: number): void {
    const t = this.config.tuning;
    const marginDa = floorDa(t.evDrawMarginA);
    for (const rt of this.connectors) {
      const m = rt.meter;
      if (!m || nowMs - m.atMs > t.connectorMeterTimeoutMs || !wantsCurrent(rt)) continue;
      // Only judge an EV that has had time to follow its last raise.
      if (rt.setpointDa === 0 || nowMs - rt.lastIncreaseMs < t.evResponseMs || m.atMs - rt.lastIncreaseMs < t.evResponseMs) continue;
      const d = Math.max(...rt.sitePhases.map((p) => ceilDa(m.currentA[p - 1] ?? 0)));
      if (d < rt.setpointDa - marginDa / 2) rt.evCapDa = Math.max(floorDa(rt.cfg.minCurrentA), d + marginDa);
      else if (rt.evCapDa !== undefined && d >= rt.evCapDa - marginDa / 2) rt.evCapDa = undefined;
    }
  }

  /** The current setpoints as contract payloads. */
  private output(wallMs: number): Setpoint[] {
    const t = this.config.tuning;
    const validUntil = new Date(wallMs + t.validForS * 1000).toISOString();
    return this.connectors.map((rt) => ({
      connectorId: rt.cfg.id,
      currentA: rt.setpointDa / 10,
      phases: rt.sitePhases.length === 1 ? 1 : 3,
      validForS: t.validForS,
      validUntil,
      boundBy: rt.boundBy,
      safeCurrentA: t.safeCurrentA,
    }));
  }

  /** EVs with a non-zero setpoint and the sum of their setpoints, A (for the node status). */
  /** The site's highest phase current (A) and that phase's limit now (A), or null without a usable reading. */
  siteLoad(wallMs: number): { phase: 1 | 2 | 3; currentA: number; limitA: number } | null {
    const a = this.site?.currentA;
    if (!a || a.length < 3 || a.slice(0, 3).some((x) => typeof x !== 'number' || !Number.isFinite(x))) return null;
    const cur = a.slice(0, 3) as number[];
    const p = cur.indexOf(Math.max(...cur));
    return { phase: (p + 1) as 1 | 2 | 3, currentA: cur[p], limitA: effectiveLimit(this.config.site, this.limits, wallMs).maxCurrentA[p] };
  }

  summary(): { evs: number; totalA: number } {
    let evs = 0;
    let da = 0;
    for (const rt of this.connectors) {
      if (rt.setpointDa > 0 && wantsCurrent(rt)) {
        evs++;
        da += rt.setpointDa;
      }
    }
    return { evs, totalA: da / 10 };
  }
}
