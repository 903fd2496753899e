import { describe, expect, it } from 'vitest';
import { Harness, T0 } from './harness';

const M1 = 'CP1-1';

describe('session state machine: a normal session', () => {
  it('records start/stop registers, exact energy, times, periods, power and the stop reason', () => {
    const h = new Harness();
    h.reading(M1, 0, 0); // idle reading before the plug: the start register
    h.advance(60_000); // 10:01
    h.event({ connectorId: '1', event: 'authorize', idTag: 'RFID-42' });
    h.event({ connectorId: '1', event: 'plug' });
    expect(h.ch.connectors.get('1')!.state).toBe('plugged');
    h.charge(M1, 0, 120, 10); // 2 min idle (plugged, not charging)
    h.event({ connectorId: '1', event: 'start' });
    h.charge(M1, 11000, 1800, 1); // 30 min at 11 kW → 5500 Wh
    h.event({ connectorId: '1', event: 'stop', reason: 'remote' });
    expect(h.ch.connectors.get('1')!.state).toBe('closing');
    h.advance(1000);
    h.reading(M1, 0, 0);
    const [s] = h.finished();
    expect(s).toBeDefined();
    expect(s.energyWh).toBe(5500);
    expect(s.energyWh).toBe(s.endReading.energyWh - s.startReading.energyWh);
    expect(s.startReading.energyWh).toBe(1_000_000);
    expect(s.startReading.raw).toBe('001000.000*kWh');
    expect(s.endReading.raw).toBe('001005.500*kWh');
    expect(s.stopReason).toBe('remote');
    expect(s.idTag).toBe('RFID-42');
    expect(s.id).toBe('ST1-CP1-1-20261125T100100Z-r1');
    expect(s.startTime).toBe('2026-11-25T10:01:00.000Z');
    expect(s.endTime).toBe(s.endReading.time);
    expect(s.durationS).toBe(120 + 1800 + 1);
    expect(s.chargingTimeS).toBe(1800);
    expect(s.idleTimeS).toBe(121);
    expect(s.avgPowerW).toBe(11000);
    expect(s.peakPowerW).toBe(11000);
    expect(s.ratedPowerW).toBe(11000);
    expect(s.flags).toEqual([]);
    // Periods: 10:01-10:15, 10:15-10:30, 10:30-10:33:01
    expect(s.periods.map((p) => [p.start.slice(11, 19), p.end.slice(11, 19)])).toEqual([
      ['10:01:00', '10:15:00'],
      ['10:15:00', '10:30:00'],
      ['10:30:00', '10:33:01'],
    ]);
    expect(s.periods.reduce((a, p) => a + p.energyWh, 0)).toBe(5500);
    // 10:03:00 → 10:15:00 = 720 s at 11 kW = 2200 Wh; next 900 s = 2750 Wh; the rest 550 Wh.
    expect(s.periods.map((p) => p.energyWh)).toEqual([2200, 2750, 550]);
    expect(s.periods[0]).toMatchObject({ chargingS: 720, idleS: 120, maxPowerW: 11000 });
    expect(h.ch.connectors.get('1')!.state).toBe('finished');
    h.event({ connectorId: '1', event: 'unplug' });
    expect(h.ch.connectors.get('1')!.state).toBe('idle');
    expect(h.outputs.map((o) => o.type)).toEqual(['started', 'finished']);
  });

  it('uses the first reading after the start when none was seen before', () => {
    const h = new Harness();
    h.event({ connectorId: '1', event: 'start' });
    h.charge(M1, 7400, 600, 5);
    h.event({ connectorId: '1', event: 'unplug' });
    h.advance(500);
    h.reading(M1, 0, 0);
    const [s] = h.finished();
    expect(s.stopReason).toBe('ev');
    expect(s.energyWh).toBe(s.endReading.energyWh - s.startReading.energyWh);
    expect(s.startReading.meterSeq).toBe(1);
    expect(s.energyWh).toBe(7400 * 595 / 3600 | 0);
  });

  it('starts the next session at the previous end register (no Wh lost or counted twice)', () => {
    const h = new Harness();
    h.reading(M1, 0, 0);
    h.event({ connectorId: '1', event: 'start' });
    h.charge(M1, 11000, 60);
    h.event({ connectorId: '1', event: 'stop' });
    h.advance(1000);
    h.reading(M1, 3, 11000); // drawn between the stop and the end reading
    h.event({ connectorId: '1', event: 'start' });
    h.charge(M1, 11000, 60);
    h.event({ connectorId: '1', event: 'stop' });
    h.advance(1000);
    h.reading(M1, 0, 0);
    const [a, b] = h.finished();
    expect(a.id).not.toBe(b.id);
    expect(b.startReading).toEqual(a.endReading);
    expect(a.energyWh + b.energyWh).toBe(b.endReading.energyWh - a.startReading.energyWh);
  });

  it('a stop waits for a reading after it, then closes with the last one after the timeout', () => {
    const h = new Harness({ closeTimeoutMs: 10_000 });
    h.reading(M1, 0, 0);
    h.event({ connectorId: '1', event: 'start' });
    h.charge(M1, 11000, 30);
    h.event({ connectorId: '1', event: 'stop', reason: 'local' });
    h.advance(5000);
    h.tick();
    expect(h.finished()).toHaveLength(0);
    h.advance(5000);
    h.tick();
    const [s] = h.finished();
    expect(s.flags).toContain('end_reading_stale');
    expect(s.energyWh).toBe(s.endReading.energyWh - s.startReading.energyWh);
  });

  it('a session with no reading at all is finished with energy 0 and flagged', () => {
    const h = new Harness();
    h.event({ connectorId: '2', event: 'plug' });
    h.advance(60_000);
    h.event({ connectorId: '2', event: 'unplug' });
    h.advance(40_000);
    h.tick();
    const [s] = h.finished();
    expect(s.energyWh).toBe(0);
    expect(s.flags).toContain('no_meter_reading');
    expect(s.connectorId).toBe('2');
  });

  it('rejects events for unknown connectors and malformed events', () => {
    const h = new Harness();
    expect(() => h.event({ connectorId: '9', event: 'plug' })).toThrow(/unknown connector 9/);
    expect(() => h.event({ connectorId: '1', event: 'explode' })).toThrow(/event must be one of/);
    expect(() => h.event({ connectorId: '1', cpState: 'Z' })).toThrow(/cpState/);
    expect(() => h.event({ connectorId: '1', event: 'stop', reason: 'bored' })).toThrow(/reason/);
  });

  it('ignores readings from unknown meters and readings without an import register', () => {
    const h = new Harness();
    expect(h.reading('OTHER', 1)).toBeNull();
    expect(h.reading(M1, 0, 0, { energyImportWh: undefined })).toBe('no_register');
  });
});

describe('IEC 61851 control-pilot states', () => {
  it('A→B plugs, C charges, B suspends (EV), C resumes, E flags an EVSE suspension, A finishes with reason ev', () => {
    const h = new Harness();
    const st = () => h.ch.connectors.get('1')!.state;
    h.reading(M1, 0, 0);
    h.event({ connectorId: '1', cpState: 'A' });
    expect(st()).toBe('idle');
    h.event({ connectorId: '1', cpState: 'B' });
    expect(st()).toBe('plugged');
    h.event({ connectorId: '1', cpState: 'C' });
    expect(st()).toBe('charging');
    h.charge(M1, 11000, 60);
    h.event({ connectorId: '1', cpState: 'B' });
    expect(st()).toBe('suspended_ev');
    h.charge(M1, 0, 60, 10);
    h.event({ connectorId: '1', cpState: 'D' });
    expect(st()).toBe('charging');
    h.event({ connectorId: '1', cpState: 'E' });
    expect(st()).toBe('suspended_evse');
    h.event({ connectorId: '1', cpState: 'C' });
    h.charge(M1, 11000, 60);
    h.event({ connectorId: '1', cpState: 'A' });
    h.advance(1000);
    h.reading(M1, 0, 0);
    const [s] = h.finished();
    expect(s.stopReason).toBe('ev');
    expect(s.flags).toContain('cp_state:E');
    expect(s.chargingTimeS).toBe(120);
    expect(s.energyWh).toBe(Math.floor((11000 * 120) / 3600));
    expect(st()).toBe('idle');
  });

  it('C without B opens a session (missed B); B after a finished session does not open a new one', () => {
    const h = new Harness();
    h.event({ connectorId: '1', cpState: 'C' });
    expect(h.ch.connectors.get('1')!.state).toBe('charging');
    h.reading(M1, 0, 0);
    h.event({ connectorId: '1', event: 'stop', reason: 'deauthorized' });
    h.advance(1000);
    h.reading(M1, 0, 0);
    h.event({ connectorId: '1', cpState: 'B' });
    expect(h.ch.connectors.get('1')!.state).toBe('finished');
    expect(h.finished()[0].stopReason).toBe('deauthorized');
  });

  it('after a stop with the EV plugged, a lingering C opens nothing; B then C opens a new session; so does an explicit start', () => {
    const h = new Harness();
    const st = () => h.ch.connectors.get('1')!.state;
    h.reading(M1, 0, 0);
    h.event({ connectorId: '1', cpState: 'C' });
    h.event({ connectorId: '1', event: 'stop', reason: 'remote' });
    h.advance(1000);
    h.reading(M1, 0, 0);
    h.event({ connectorId: '1', cpState: 'C' });
    expect(st()).toBe('finished');
    h.event({ connectorId: '1', cpState: 'B' });
    expect(st()).toBe('finished');
    h.event({ connectorId: '1', cpState: 'C' });
    expect(st()).toBe('charging');
    h.event({ connectorId: '1', event: 'stop' });
    h.advance(1000);
    h.reading(M1, 0, 0);
    h.event({ connectorId: '1', event: 'start' });
    expect(st()).toBe('charging');
    expect(h.outputs.filter((o) => o.type === 'started')).toHaveLength(3);
  });

  it('suspend_evse and resume as explicit events', () => {
    const h = new Harness();
    h.event({ connectorId: '1', event: 'start' });
    h.event({ connectorId: '1', event: 'suspend_evse' });
    expect(h.ch.connectors.get('1')!.state).toBe('suspended_evse');
    h.event({ connectorId: '1', event: 'resume' });
    expect(h.ch.connectors.get('1')!.state).toBe('charging');
    h.event({ connectorId: '1', event: 'suspend_ev' });
    expect(h.ch.connectors.get('1')!.state).toBe('suspended_ev');
  });

  it('a plug during closing opens the next session once the previous one has its end reading', () => {
    const h = new Harness();
    h.reading(M1, 0, 0);
    h.event({ connectorId: '1', event: 'start' });
    h.charge(M1, 11000, 10);
    h.event({ connectorId: '1', event: 'unplug' });
    h.event({ connectorId: '1', event: 'plug' });
    h.advance(1000);
    h.reading(M1, 0, 0);
    expect(h.finished()).toHaveLength(1);
    expect(h.ch.connectors.get('1')!.state).toBe('plugged');
    expect(h.ch.connectors.get('1')!.session!.startReading!.seq).toBe(h.finished()[0].endReading.meterSeq);
  });
});

describe('time: T0 is a quarter hour', () => {
  it('T0 is aligned', () => {
    expect(T0 % (15 * 60_000)).toBe(0);
  });
});
