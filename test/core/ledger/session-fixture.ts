import type { Session } from '../../../src/core/types';

/** A plausible finished session; `n` varies the id, times and energy. */
export function makeSession(n = 1, overrides: Partial<Session> = {}): Session {
  const start = Date.UTC(2025, 10, 25, 8, 0, 0) + n * 3_600_000;
  const end = start + 1_800_000;
  const startWh = 100_000 + n * 10_000;
  return {
    id: `sess-${n}`,
    stationId: 'ST1',
    chargerId: 'CP1',
    connectorId: String((n % 2) + 1),
    idTag: n % 3 === 0 ? undefined : '04A2B3C4',
    startTime: new Date(start).toISOString(),
    endTime: new Date(end).toISOString(),
    durationS: 1800,
    chargingTimeS: 1700,
    idleTimeS: 100,
    energyWh: 5520,
    avgPowerW: 11040,
    peakPowerW: 11100,
    startReading: { energyWh: startWh, time: new Date(start).toISOString(), meterId: 'CP1-1', meterSeq: 10 },
    endReading: { energyWh: startWh + 5520, time: new Date(end).toISOString(), meterId: 'CP1-1', meterSeq: 1810 },
    periods: [{ start: new Date(start).toISOString(), end: new Date(end).toISOString(), energyWh: 5520, chargingS: 1700, idleS: 100, maxPowerW: 11100, maxCurrentA: 16 }],
    stopReason: 'ev',
    flags: [],
    ...overrides,
  };
}
