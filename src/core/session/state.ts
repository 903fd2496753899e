// The serialisable state of one open session: plain JSON so that a checkpoint is the state itself.
import type { MeterReading, SessionPeriod, StopReason } from '../types';

/** A register reading as the session keeps it (integer Wh; wall and monotonic ms). */
export interface ReadingRef {
  meterId: string;
  seq: number;
  timeMs: number;
  monoMs: number;
  energyWh: number;
  /** Register text as the meter sent it, when known. */
  raw?: string;
  powerW?: number;
  maxCurrentA?: number | null;
}

/** Charger-side state of a connector while a session is open. */
export type ChargeState = 'plugged' | 'charging' | 'suspended_ev' | 'suspended_evse';
/** Connector state as shown to the outside ('finished' = last session closed, EV may still be plugged). */
export type ConnectorState = 'idle' | ChargeState | 'closing' | 'recovering' | 'finished';

/** The period being accumulated: energy from register readings at its boundaries, time in ms. */
export interface PeriodAcc {
  /** Aligned wall-clock start of the period, ms. */
  startMs: number;
  /** Session energy at the last reading at/before the period start, Wh. */
  startEnergyWh: number;
  chargingMs: number;
  idleMs: number;
  /** Part of idleMs in which the station withheld power (absent in checkpoints of older versions = 0). */
  heldMs?: number;
  maxPowerW: number;
  maxCurrentA: number | null;
}

/** A pending close: after a stop, or after a restart. */
export interface StopState {
  reason: StopReason;
  /** Wall-clock ms of the stop. */
  wallMs: number;
  /** Monotonic ms of the stop; a reading stamped at or after it closes the session. null = any reading. */
  monoMs: number | null;
  /** Monotonic ms when waiting began in this process (null until the first input after a restart). */
  sinceMonoMs: number | null;
}

/**
 * Recovery after a restart with recoveryPolicy 'resume': waiting for the charger to report. Readings that
 * arrive meanwhile are kept aside (first and latest): they belong to the session only if it resumes.
 */
export interface RecoveryState {
  sinceMonoMs: number | null;
  readingSeen: boolean;
  first?: ReadingRef;
  last?: ReadingRef;
}

/** Everything known about one open session; JSON-safe. */
export interface OpenSession {
  id: string;
  connectorId: string;
  meterId: string;
  ratedPowerW: number;
  idTag?: string;
  state: ChargeState;
  phase: 'open' | 'closing' | 'recovering';
  startWallMs: number;
  startReading?: ReadingRef;
  lastReading?: ReadingRef;
  /** False after a restart: lastReading.monoMs is from the previous process. */
  lastReadingMonoValid: boolean;
  /** Accumulated energy, integer Wh (telescoping sum of register steps). */
  energyWh: number;
  /** Monotonic (or, across a restart, wall-clock) time since the start, ms. */
  elapsedMs: number;
  chargingMs: number;
  idleMs: number;
  /** Part of idleMs in which the station withheld power (suspend_evse, waiting after authorize, a 0 A setpoint). */
  heldMs?: number;
  /** The last setpoint for this connector was 0 A: the station withholds power. */
  heldBySetpoint?: boolean;
  /** Last time step taken into account: wall ms, monotonic ms (null after a restart), effective period clock ms. */
  stepWallMs: number;
  stepMonoMs: number | null;
  effMs: number;
  /** Power at the last reading, W: decides whether the next interval counts as charging or idle. */
  powerW: number;
  peakPowerW: number;
  period: PeriodAcc;
  periods: SessionPeriod[];
  flags: string[];
  stop?: StopState;
  recovery?: RecoveryState;
}

/** Add a flag once. */
export function addFlag(s: OpenSession, flag: string): void {
  if (!s.flags.includes(flag)) s.flags.push(flag);
}

/** A reading reduced to what the session keeps; null when it carries no import register. */
export function toReadingRef(r: MeterReading): ReadingRef | null {
  if (typeof r.energyImportWh !== 'number' || !Number.isInteger(r.energyImportWh) || r.energyImportWh < 0) return null;
  if (!Number.isFinite(r.seq) || !Number.isFinite(r.timeMs) || !Number.isFinite(r.monoMs)) return null;
  const ref: ReadingRef = { meterId: r.meterId, seq: r.seq, timeMs: r.timeMs, monoMs: r.monoMs, energyWh: r.energyImportWh };
  const raw = r.raw?.['1-0:1.8.0'] ?? r.raw?.energyImportWh;
  if (raw !== undefined) ref.raw = raw;
  if (typeof r.powerW === 'number' && Number.isFinite(r.powerW)) ref.powerW = Math.round(r.powerW);
  if (Array.isArray(r.currentA)) {
    const cs = r.currentA.filter((c): c is number => typeof c === 'number' && Number.isFinite(c));
    ref.maxCurrentA = cs.length ? Math.max(...cs) : null;
  }
  return ref;
}
