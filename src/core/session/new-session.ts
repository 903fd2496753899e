// A freshly opened session's state: all counters at zero, the start register where one is known.
import { newPeriod, periodStart } from './clock';
import type { ConnectorConfig } from './config';
import type { Now } from './machine-types';
import type { ChargeState, OpenSession, ReadingRef } from './state';

/** What a new session starts from. */
export interface NewSessionInput {
  id: string;
  connector: ConnectorConfig;
  state: ChargeState;
  now: Now;
  /** Length of a metering period, ms. */
  periodMs: number;
  /** The last reading at/before the start (the register is cumulative); absent: the first reading after. */
  start?: ReadingRef;
  /** Opened from meter evidence alone. */
  unobserved?: boolean;
  heldBySetpoint?: boolean;
  idTag?: string;
}

/** The state of a session opened now. */
export function newOpenSession(i: NewSessionInput): OpenSession {
  const { now } = i;
  const s: OpenSession = {
    id: i.id,
    connectorId: i.connector.connectorId,
    meterId: i.connector.meterId,
    ratedPowerW: i.connector.ratedPowerW,
    state: i.state,
    phase: 'open',
    startWallMs: now.wallMs,
    lastReadingMonoValid: true,
    energyWh: 0,
    elapsedMs: 0,
    chargingMs: 0,
    idleMs: 0,
    stepWallMs: now.wallMs,
    stepMonoMs: now.monoMs,
    effMs: now.wallMs,
    powerW: 0,
    peakPowerW: 0,
    period: newPeriod(periodStart(now.wallMs, i.periodMs), 0),
    periods: [],
    flags: i.unobserved ? ['started_unobserved'] : [],
  };
  if (i.heldBySetpoint) s.heldBySetpoint = true;
  if (i.start) {
    s.startReading = i.start;
    s.lastReading = i.start;
  }
  if (i.idTag !== undefined) s.idTag = i.idTag;
  return s;
}

/**
 * Whether what the charger says after a restart is about the session's own driver. Why this strict:
 * the EV may have left and another arrived while the controller was down, and a resumed session
 * would then bill one driver for the next one's energy. Both idTags known: they must match. A named
 * driver on an unnamed session: not provable, so no. No idTag from the charger: only its state report
 * (sent on reconnect, saying what is true now) that the connector is still charging counts; a lone
 * event could be the next EV's, and "plugged, not charging" is what a newly arrived EV looks like too.
 */
export function sameDriver(sessionIdTag: string | undefined, idTag: string | undefined, isReport: boolean, charging: boolean): boolean {
  if (idTag !== undefined && sessionIdTag !== undefined) return idTag === sessionIdTag;
  if (idTag !== undefined) return false;
  return isReport && charging;
}
