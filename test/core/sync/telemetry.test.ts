import { describe, it, expect } from 'vitest';
import { TelemetrySnapshot } from '../../../src/core/sync/telemetry';
import { birthPayload, willPayload } from '../../../src/core/sync/status';

describe('TelemetrySnapshot', () => {
  it('keeps the latest values per meter and connector and reports changes', () => {
    const t = new TelemetrySnapshot('ST-1');
    expect(t.changed).toBe(false);
    t.reading({ meterId: 'CP1-1', seq: 1, timeMs: 1000, monoMs: 1, powerW: 7000, energyImportWh: 100 });
    t.reading({ meterId: 'CP1-1', seq: 2, timeMs: 2000, monoMs: 2, powerW: 7100 });
    t.health({ meterId: 'SITE', state: 'stale', lastGoodAgeMs: 30_000, errors: {}, sinceMs: 1500 });
    t.setpoint('1', { currentA: 10 });
    t.setpoint('1', { currentA: 12.5, phases: 1 });
    expect(t.changed).toBe(true);
    const m = t.take(3000);
    expect(m).toEqual({
      v: 1,
      stationId: 'ST-1',
      time: '1970-01-01T00:00:03.000Z',
      meters: { 'CP1-1': { timeMs: 2000, powerW: 7100, energyImportWh: 100 }, SITE: { timeMs: 1500, health: 'stale' } },
      setpoints: { '1': { currentA: 12.5, phases: 1 } },
    });
    expect(t.changed).toBe(false);
    // The taken message is a copy: later readings do not change what was published.
    t.reading({ meterId: 'CP1-1', seq: 3, timeMs: 4000, monoMs: 3, powerW: 0 });
    expect(m.meters['CP1-1']!.powerW).toBe(7100);
  });
});

describe('status messages', () => {
  it('birth carries version, backlog and time; will is offline', () => {
    expect(JSON.parse(birthPayload('1.2.3', 7, 0))).toEqual({ state: 'online', version: '1.2.3', backlog: 7, since: '1970-01-01T00:00:00.000Z' });
    expect(JSON.parse(willPayload())).toEqual({ state: 'offline' });
  });
});
