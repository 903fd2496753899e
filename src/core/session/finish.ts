// Turning an open session into the finished Session record, and the partial snapshot for events.
import type { Session, SessionReading, StopReason } from '../types';
import { toSessionPeriod } from './clock';
import { maxEnergyWh, type StepBounds } from './registers';
import type { ConnectorState, OpenSession, ReadingRef } from './state';

/** Station and charger the session belongs to. */
export interface SessionOwner {
  stationId: string;
  chargerId: string;
}

/** The reading as recorded on the session. */
export function toSessionReading(r: ReadingRef): SessionReading {
  const out: SessionReading = { energyWh: r.energyWh, time: new Date(r.timeMs).toISOString(), meterId: r.meterId, meterSeq: r.seq };
  if (r.raw !== undefined) out.raw = r.raw;
  return out;
}

/** Average power over the charging time (over the whole duration if no charging time was seen), integer W. */
export function avgPowerW(energyWh: number, chargingMs: number, elapsedMs: number): number {
  const ms = chargingMs > 0 ? chargingMs : elapsedMs;
  return ms > 0 ? Math.round((energyWh * 3_600_000) / ms) : 0;
}

/**
 * The finished record. Energy is the telescoping sum of register steps, i.e. end − start exactly unless a
 * rollover or reset was flagged. An implausible energy (more than duration × rated power + tolerance)
 * is flagged and kept.
 */
export function buildSession(owner: SessionOwner, s: OpenSession, endWallMs: number, reason: StopReason, bounds: StepBounds): Session {
  const start = s.startReading;
  const end = s.lastReading;
  const flags = [...s.flags];
  const placeholder: ReadingRef = { meterId: s.meterId, seq: 0, timeMs: s.startWallMs, monoMs: 0, energyWh: 0 };
  if (!start || !end) flags.push('no_meter_reading');
  if (s.energyWh > maxEnergyWh(s.elapsedMs, bounds)) flags.push('implausible:energy_exceeds_rated_power');
  const endMs = Math.max(endWallMs, s.startWallMs);
  const session: Session = {
    id: s.id,
    stationId: owner.stationId,
    chargerId: owner.chargerId,
    connectorId: s.connectorId,
    startTime: new Date(s.startWallMs).toISOString(),
    endTime: new Date(endMs).toISOString(),
    durationS: Math.round(s.elapsedMs / 1000),
    chargingTimeS: Math.round(s.chargingMs / 1000),
    idleTimeS: Math.round(s.idleMs / 1000),
    heldS: Math.round((s.heldMs ?? 0) / 1000),
    energyWh: s.energyWh,
    avgPowerW: avgPowerW(s.energyWh, s.chargingMs, s.elapsedMs),
    peakPowerW: s.peakPowerW,
    startReading: toSessionReading(start ?? placeholder),
    endReading: toSessionReading(end ?? start ?? placeholder),
    periods: [...s.periods, toSessionPeriod(s, s.period, endMs)],
    stopReason: reason,
    flags,
    ratedPowerW: s.ratedPowerW,
  };
  if (s.idTag !== undefined) session.idTag = s.idTag;
  return session;
}

/** A partial session for 'started'/'updated' events: what is known so far. */
export interface SessionSnapshot {
  id: string;
  stationId: string;
  chargerId: string;
  connectorId: string;
  idTag?: string;
  state: ConnectorState;
  startTime: string;
  durationS: number;
  chargingTimeS: number;
  idleTimeS: number;
  energyWh: number;
  powerW: number;
  peakPowerW: number;
  startReading?: SessionReading;
  flags: string[];
  /** In 'updated' events only: the session as if it ended at the last reading (for "cost so far"). */
  soFar?: Session;
}

/** Snapshot of an open session. */
export function snapshot(owner: SessionOwner, s: OpenSession): SessionSnapshot {
  const state: ConnectorState = s.phase === 'open' ? s.state : s.phase;
  const out: SessionSnapshot = {
    id: s.id,
    stationId: owner.stationId,
    chargerId: owner.chargerId,
    connectorId: s.connectorId,
    state,
    startTime: new Date(s.startWallMs).toISOString(),
    durationS: Math.round(s.elapsedMs / 1000),
    chargingTimeS: Math.round(s.chargingMs / 1000),
    idleTimeS: Math.round(s.idleMs / 1000),
    energyWh: s.energyWh,
    powerW: s.powerW,
    peakPowerW: s.peakPowerW,
    flags: [...s.flags],
  };
  if (s.idTag !== undefined) out.idTag = s.idTag;
  if (s.startReading) out.startReading = toSessionReading(s.startReading);
  return out;
}
