// Build ChargeLedger Sessions (the type the session node emits) for pricing tests.
import type { Session, SessionPeriod } from '../../../src/core/types';

/** A period: [startIso, minutes, energyWh, charging?] — charging defaults to energy > 0. */
export type P = [string, number, number, boolean?];

/** A finished Session whose periods are given; totals derived from them. */
export function session(periods: P[], extra: Partial<Session> = {}): Session {
  const ps: SessionPeriod[] = periods.map(([start, min, energyWh, charging]) => {
    const s = min * 60;
    const isCharging = charging ?? energyWh > 0;
    return { start, end: new Date(Date.parse(start) + s * 1000).toISOString(), energyWh, chargingS: isCharging ? s : 0, idleS: isCharging ? 0 : s, maxPowerW: s > 0 ? Math.round((energyWh * 3600) / s) : 0, maxCurrentA: 16 };
  });
  const startTime = ps[0].start;
  const endTime = ps[ps.length - 1].end;
  const durationS = (Date.parse(endTime) - Date.parse(startTime)) / 1000;
  const energyWh = ps.reduce((a, p) => a + p.energyWh, 0);
  const chargingTimeS = ps.reduce((a, p) => a + p.chargingS, 0);
  return {
    id: 's-1', stationId: 'ST1', chargerId: 'CP1', connectorId: '1', startTime, endTime, durationS, chargingTimeS, idleTimeS: durationS - chargingTimeS, energyWh,
    avgPowerW: chargingTimeS > 0 ? Math.round((energyWh * 3600) / chargingTimeS) : 0, peakPowerW: Math.max(...ps.map((p) => p.maxPowerW)),
    startReading: { energyWh: 1000, time: startTime, meterId: 'CP1-1', meterSeq: 1 },
    endReading: { energyWh: 1000 + energyWh, time: endTime, meterId: 'CP1-1', meterSeq: 2 },
    periods: ps, stopReason: 'ev', flags: [], ...extra,
  };
}

/** Consecutive periods of equal length from `start`. */
export function series(start: string, minutes: number, energies: number[]): P[] {
  return energies.map((e, i) => [new Date(Date.parse(start) + i * minutes * 60_000).toISOString(), minutes, e]);
}
