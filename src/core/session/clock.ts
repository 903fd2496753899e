// Moving a session forward in time: durations on the monotonic clock, periods on the wall clock.
import type { SessionPeriod } from '../types';
import { addFlag, type OpenSession, type PeriodAcc } from './state';

/** Time settings the clock step needs. */
export interface ClockConfig {
  periodMs: number;
  chargingThresholdW: number;
  clockJumpToleranceMs: number;
}

/** More empty periods than this in one step (a month of 15-min periods) are not filled in one by one. */
const MAX_FILLER_PERIODS = 2976;

/** Aligned start of the period containing `ms`. */
export function periodStart(ms: number, periodMs: number): number {
  return Math.floor(ms / periodMs) * periodMs;
}

/** A fresh period accumulator starting at `startMs` with the session's energy so far. */
export function newPeriod(startMs: number, energyWh: number): PeriodAcc {
  return { startMs, startEnergyWh: energyWh, chargingMs: 0, idleMs: 0, heldMs: 0, maxPowerW: 0, maxCurrentA: null };
}

/** The closed form of a period; the first starts at the session start and the last ends at the session end. */
export function toSessionPeriod(s: OpenSession, p: PeriodAcc, endMs: number): SessionPeriod {
  return {
    start: new Date(Math.max(p.startMs, s.startWallMs)).toISOString(),
    end: new Date(endMs).toISOString(),
    energyWh: s.energyWh - p.startEnergyWh,
    chargingS: Math.round(p.chargingMs / 1000),
    idleS: Math.round(p.idleMs / 1000),
    heldS: Math.round((p.heldMs ?? 0) / 1000),
    maxPowerW: p.maxPowerW,
    maxCurrentA: p.maxCurrentA,
  };
}

/**
 * Whether the station (not the EV) is the reason no power flows: the charger suspended it (suspend_evse),
 * the EV was authorised but has not yet been given current (admission, ramp), or the load limiter set 0 A.
 */
export function stationWithholds(s: OpenSession): boolean {
  return s.state === 'suspended_evse' || (s.state === 'plugged' && s.idTag !== undefined) || s.heldBySetpoint === true;
}

/**
 * Advance the session to (wallMs, monoMs). Durations use the monotonic step; a wall-clock step that
 * disagrees by more than the tolerance is flagged 'clock_jump' and does not move time in the record
 * backwards. Periods close when the effective wall clock passes their end; a period's energy is the
 * session energy at the last reading before/at the boundary (the caller applies the new reading only
 * after this step), so energy is never pro-rated.
 * `intervalPowerW` (the new reading's power) classifies the interval as charging or idle.
 * After a restart (stepMonoMs null) the wall-clock step is used and counted as neither charging nor idle.
 */
export function advance(s: OpenSession, wallMs: number, monoMs: number, cfg: ClockConfig, intervalPowerW?: number): void {
  const downtime = s.stepMonoMs === null;
  let dt: number;
  let jump = false;
  if (downtime) {
    dt = Math.max(0, wallMs - s.stepWallMs);
  } else {
    const dMono = monoMs - (s.stepMonoMs as number);
    dt = Math.max(0, dMono);
    jump = Math.abs(wallMs - s.stepWallMs - dMono) > cfg.clockJumpToleranceMs;
    if (jump) addFlag(s, 'clock_jump');
  }
  const newEff = Math.max(s.effMs, wallMs);
  // Why: a reading's power describes the interval that ends at it (the meter lags the charger's events);
  // between readings (events, ticks) the last known power holds.
  const charging = (intervalPowerW ?? s.powerW) > cfg.chargingThresholdW;
  const held = !charging && stationWithholds(s);
  const attribute = (ms: number): void => {
    if (downtime || ms <= 0) return;
    if (charging) {
      s.chargingMs += ms;
      s.period.chargingMs += ms;
    } else {
      s.idleMs += ms;
      s.period.idleMs += ms;
      if (held) {
        s.heldMs = (s.heldMs ?? 0) + ms;
        s.period.heldMs = (s.period.heldMs ?? 0) + ms;
      }
    }
  };
  let remaining = dt;
  let cursor = s.effMs;
  let fillers = 0;
  while (newEff > s.period.startMs + cfg.periodMs) {
    const end = s.period.startMs + cfg.periodMs;
    const part = jump ? remaining : Math.min(remaining, Math.max(0, end - cursor));
    attribute(part);
    remaining -= part;
    cursor = end;
    s.periods.push(toSessionPeriod(s, s.period, end));
    fillers++;
    // Why: a forward clock jump (or an absurd gap) must not create thousands of empty periods.
    const next = jump || fillers > MAX_FILLER_PERIODS ? periodStart(newEff, cfg.periodMs) : end;
    s.period = newPeriod(next, s.energyWh);
  }
  attribute(remaining);
  s.elapsedMs += dt;
  s.effMs = newEff;
  // Why: an input stamped before the last step (delivered late) must not skew the next jump check.
  if (downtime || monoMs >= (s.stepMonoMs as number)) {
    s.stepWallMs = wallMs;
    s.stepMonoMs = monoMs;
  }
}
