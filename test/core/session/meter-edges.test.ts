import { describe, expect, it } from 'vitest';
import { Harness } from './harness';

const M1 = 'CP1-1';

function started(cfg = {}): Harness {
  const h = new Harness(cfg);
  h.reading(M1, 0, 0);
  h.event({ connectorId: '1', event: 'start' });
  return h;
}

function stop(h: Harness) {
  h.event({ connectorId: '1', event: 'stop' });
  h.advance(1000);
  h.reading(M1, 0, 0);
  const s = h.finished().at(-1)!;
  expect(s).toBeDefined();
  return s;
}

describe('meter edge cases', () => {
  it('register rollover at the configured modulus is counted and flagged', () => {
    const h = new Harness({ rolloverModulusWh: 1_000_000 });
    h.register.set(M1, 999_000);
    h.reading(M1, 0, 0);
    h.event({ connectorId: '1', event: 'start' });
    h.charge(M1, 11000, 600); // 1833 Wh: wraps past 1 000 000
    const s = stop(h);
    expect(s.endReading.energyWh).toBeLessThan(s.startReading.energyWh);
    expect(s.energyWh).toBe(Math.floor((11000 * 600) / 3600));
    expect(s.flags).toContain('register_rollover');
  });

  it('without a modulus, a drop is a meter reset: flagged, never negative, both segments counted', () => {
    const h = started();
    h.charge(M1, 11000, 360); // 1100 Wh
    h.advance(1000);
    h.register.set(M1, 0); // meter replaced/reset to 0
    h.reading(M1, 0, 11000);
    h.charge(M1, 11000, 360); // 1100 Wh more on the new register
    const s = stop(h);
    expect(s.flags).toContain('meter_reset:1001100->0');
    expect(s.energyWh).toBe(2200);
    expect(s.energyWh).toBeGreaterThanOrEqual(0);
  });

  it('a jump up beyond what the connector can deliver (a replacement meter with a higher register) is not counted', () => {
    const h = started();
    h.charge(M1, 11000, 60);
    h.advance(1000);
    h.reading(M1, 36_900_000, 11000); // a lifetime register appears
    h.charge(M1, 11000, 60);
    const s = stop(h);
    expect(s.flags.some((f) => f.startsWith('meter_reset:'))).toBe(true);
    expect(s.energyWh).toBeLessThan(500);
    expect(s.flags.some((f) => f.startsWith('implausible'))).toBe(false);
  });

  it('gaps: energy of a gap goes to the period of the next reading (never pro-rated); time is still split', () => {
    const h = started();
    h.charge(M1, 11000, 300); // 10:00 → 10:05, 916 Wh
    // 40 minutes without readings (the meter was silent), charging continued at 11 kW
    h.advance(40 * 60_000);
    h.reading(M1, Math.floor((11000 * 2400) / 3600), 11000); // 10:45
    h.charge(M1, 11000, 60);
    const s = stop(h);
    expect(s.energyWh).toBe(s.endReading.energyWh - s.startReading.energyWh);
    const e = s.periods.map((p) => p.energyWh);
    expect(e[0]).toBe(916); // up to the last reading before 10:15
    expect(e[1]).toBe(0); // 10:15–10:30 had no reading
    expect(e[2]).toBe(7333); // 10:30–10:45: the 10:45:00 reading is at the boundary, so the gap's energy lands here
    expect(e.reduce((a, b) => a + b, 0)).toBe(s.energyWh);
    expect(s.periods.map((p) => p.chargingS + p.idleS).slice(0, 3)).toEqual([900, 900, 900]);
  });

  it('a reading exactly at a boundary counts in the period that ends there', () => {
    const h = started();
    h.charge(M1, 3600, 900, 60); // readings at 10:01 … 10:15:00 exactly
    h.charge(M1, 3600, 60, 60);
    const s = stop(h);
    expect(s.periods[0].energyWh).toBe(900);
    expect(s.periods[1].energyWh).toBe(60);
  });

  it('out-of-order and duplicate readings (seq ≤ last seen) are ignored', () => {
    const h = started();
    const r1 = h.makeReading(M1, 0, 0);
    h.advance(1000);
    const r2 = h.makeReading(M1, 3, 11000);
    h.advance(1000);
    const r3 = h.makeReading(M1, 3, 11000);
    expect(h.feed(r1)).toBe('accepted');
    expect(h.feed(r3)).toBe('accepted');
    expect(h.feed(r2)).toBe('stale');
    expect(h.feed(r3)).toBe('stale');
    expect(h.feed(r1)).toBe('stale');
    const s = stop(h);
    expect(s.energyWh).toBe(6);
  });

  it('a meter source that restarts its seq (redeployed meter node) is followed, not ignored', () => {
    const h = started();
    h.charge(M1, 11000, 10);
    h.seq.set(M1, 0);
    h.charge(M1, 11000, 10);
    const s = stop(h);
    expect(s.flags).toContain('meter_seq_restart');
    expect(s.energyWh).toBe(s.endReading.energyWh - s.startReading.energyWh);
    expect(s.energyWh).toBe(60);
  });

  it('clock jump forward: duration from the monotonic clock, wall clock for the record, flagged, no filler periods', () => {
    const h = started();
    h.charge(M1, 11000, 600);
    h.jumpWall(3 * 3600_000); // NTP moves the wall clock 3 h ahead
    h.charge(M1, 11000, 600);
    const s = stop(h);
    expect(s.flags).toContain('clock_jump');
    expect(s.durationS).toBe(1201);
    expect(s.chargingTimeS).toBe(1200);
    expect(Date.parse(s.endTime) - Date.parse(s.startTime)).toBeGreaterThan(3 * 3600_000);
    expect(s.periods.length).toBeLessThanOrEqual(3);
    expect(s.periods.reduce((a, p) => a + p.energyWh, 0)).toBe(s.energyWh);
  });

  it('clock jump backward: periods never go back in time; durations stay monotonic', () => {
    const h = started();
    h.charge(M1, 11000, 600);
    h.jumpWall(-3600_000);
    h.charge(M1, 11000, 600);
    const s = stop(h);
    expect(s.flags).toContain('clock_jump');
    expect(s.durationS).toBe(1201);
    for (const p of s.periods) expect(Date.parse(p.end)).toBeGreaterThanOrEqual(Date.parse(p.start));
    expect(s.periods.reduce((a, p) => a + p.energyWh, 0)).toBe(s.energyWh);
  });

  it('plausibility: more energy than duration × rated power is flagged and the session kept', () => {
    // the configured rating (3.7 kW) is wrong: the car draws 11 kW; each 1-s step is within the step tolerance
    const h = new Harness({}, 'boot', [{ connectorId: '1', meterId: M1, ratedPowerW: 3700 }]);
    h.reading(M1, 0, 0);
    h.event({ connectorId: '1', event: 'start' });
    h.charge(M1, 11000, 180);
    const s = stop(h);
    expect(s.energyWh).toBe(550);
    expect(s.flags).toContain('implausible:energy_exceeds_rated_power');
  });

  it('a plausible session carries no implausible flag (within 5 % + 50 Wh)', () => {
    const h = started();
    h.charge(M1, 11500, 3600, 10);
    const s = stop(h);
    expect(s.flags).toEqual([]);
  });

  it('a meter that goes stale during charging is recorded on the session', () => {
    const h = started();
    h.charge(M1, 11000, 10);
    h.ch.handleHealth(M1, { meterId: M1, state: 'stale', lastGoodAgeMs: 5000, errors: {}, sinceMs: h.wallMs }, { wallMs: h.wallMs, monoMs: h.monoMs });
    h.charge(M1, 11000, 10);
    const s = stop(h);
    expect(s.flags).toContain('meter_stale');
  });

  it('power without a powerW field is derived from the register step', () => {
    const h = started();
    for (let i = 0; i < 10; i++) {
      h.advance(10_000);
      h.reading(M1, 20); // 20 Wh per 10 s = 7200 W
    }
    const s = stop(h);
    expect(s.peakPowerW).toBe(7200);
    expect(s.avgPowerW).toBe(7200);
  });
});

describe('late delivery', () => {
  it('a reading stamped before the last event but delivered after it is not a clock jump', () => {
    const h = new Harness();
    h.reading(M1, 0, 0);
    h.event({ connectorId: '1', event: 'start' });
    h.charge(M1, 11000, 10);
    const late = h.makeReading(M1, 3, 11000);
    h.advance(8000); // the queue held the reading for 8 s while an event went through
    h.event({ connectorId: '1', event: 'suspend_evse' });
    h.feed(late);
    h.advance(1000);
    h.reading(M1, 0, 0);
    const s = stop(h);
    expect(s.flags).not.toContain('clock_jump');
    expect(s.energyWh).toBe(s.endReading.energyWh - s.startReading.energyWh);
  });
});
