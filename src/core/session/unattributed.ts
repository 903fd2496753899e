// Records of energy that a connector meter counted but that no session can claim (e.g. across a crash).
import type { Session } from '../types';
import { toSessionReading, type SessionOwner } from './finish';
import { sessionId } from './id';
import type { ReadingRef } from './state';

/** Why energy could not be attributed: the meter counted it between the last reading known to belong to a session and the first one after a controller restart. */
export const UNATTRIBUTED_RESTART = 'controller_restart';

/**
 * The record of an unattributed register span from → to (`energyWh` is the register step, already
 * checked by the caller). It is signed, chained and reported like a session but carries no idTag and
 * stop reason 'unknown', so that it is never billed to a driver.
 */
export function buildUnattributed(owner: SessionOwner, connectorId: string, ratedPowerW: number, from: ReadingRef, to: ReadingRef, energyWh: number, reason: string, suffix: string): Session {
  const startMs = Math.min(from.timeMs, to.timeMs);
  const endMs = Math.max(from.timeMs, to.timeMs);
  const start = new Date(startMs).toISOString();
  const end = new Date(endMs).toISOString();
  return {
    id: `${sessionId(owner.stationId, owner.chargerId, connectorId, startMs, suffix)}-unattributed`,
    type: 'unattributed',
    stationId: owner.stationId,
    chargerId: owner.chargerId,
    connectorId,
    startTime: start,
    endTime: end,
    durationS: Math.round((endMs - startMs) / 1000),
    chargingTimeS: 0,
    idleTimeS: 0,
    heldS: 0,
    energyWh,
    avgPowerW: endMs > startMs ? Math.round((energyWh * 3_600_000) / (endMs - startMs)) : 0,
    peakPowerW: 0,
    startReading: toSessionReading(from),
    endReading: toSessionReading(to),
    // One period over the span, so that the cost of the energy can still be computed.
    periods: [{ start, end, energyWh, chargingS: 0, idleS: 0, heldS: 0, maxPowerW: 0, maxCurrentA: null }],
    stopReason: 'unknown',
    flags: ['unattributed'],
    ratedPowerW,
    unattributed: { reason },
  };
}
