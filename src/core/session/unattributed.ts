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

/**
 * An unattributed record minus the register spans of sessions that turn out to cover part of it (sessions
 * finished while the disk was full and read back from a spill after the crash): only what no record claims
 * stays unattributed, so no Wh is in two records. Returns [u] unchanged when nothing overlaps, [] when all
 * is covered; the first piece keeps u's id.
 */
export function trimUnattributed(u: Session, known: Session[]): Session[] {
  const covering = known
    .filter((k) => k.type !== 'unattributed' && k.stationId === u.stationId && k.chargerId === u.chargerId && k.connectorId === u.connectorId)
    .filter((k) => k.endReading.energyWh > u.startReading.energyWh && k.startReading.energyWh < u.endReading.energyWh && k.endReading.energyWh > k.startReading.energyWh)
    .sort((a, b) => a.startReading.energyWh - b.startReading.energyWh);
  if (covering.length === 0) return [u];
  const pieces: Array<[Session['startReading'], Session['endReading']]> = [];
  let cursor = u.startReading;
  for (const k of covering) {
    if (k.startReading.energyWh > cursor.energyWh) pieces.push([cursor, k.startReading]);
    if (k.endReading.energyWh > cursor.energyWh) cursor = k.endReading;
  }
  if (u.endReading.energyWh > cursor.energyWh) pieces.push([cursor, u.endReading]);
  return pieces.map(([from, to], i) => {
    const energyWh = to.energyWh - from.energyWh;
    const startMs = Date.parse(from.time);
    const endMs = Math.max(startMs, Date.parse(to.time));
    const start = new Date(startMs).toISOString();
    const end = new Date(endMs).toISOString();
    return {
      ...u,
      id: i === 0 ? u.id : `${u.id}-${i + 1}`,
      startTime: start,
      endTime: end,
      durationS: Math.round((endMs - startMs) / 1000),
      energyWh,
      avgPowerW: endMs > startMs ? Math.round((energyWh * 3_600_000) / (endMs - startMs)) : 0,
      startReading: from,
      endReading: to,
      periods: [{ start, end, energyWh, chargingS: 0, idleS: 0, heldS: 0, maxPowerW: 0, maxCurrentA: null }],
      flags: [...u.flags.filter((f) => f !== 'trimmed'), 'trimmed'],
    };
  });
}
