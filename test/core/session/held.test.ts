import { describe, expect, it } from 'vitest';
import { Harness } from './harness';

// Held time: the station (not the EV) withholds power while the EV is plugged in. It is part of the idle
// time but must never be billed as parking, so the session reports it as its own figure (heldS).
const M1 = 'CP1-1';
const C1 = { connectorId: '1' };

/** `seconds` of readings at 0 W, one every 10 s. */
function idle(h: Harness, seconds: number): void {
  for (let t = 0; t < seconds; t += 10) {
    h.advance(10_000);
    h.reading(M1, 0, 0);
  }
}

function finish(h: Harness) {
  h.event({ ...C1, event: 'unplug' });
  h.advance(1000);
  h.reading(M1, 0, 0);
  const [s] = h.finished();
  return s;
}

describe('held time (heldS)', () => {
  it('counts the wait after authorize (admission, ramp) and suspend_evse, not suspend_ev', () => {
    const h = new Harness();
    h.reading(M1, 0, 0);
    h.event({ ...C1, event: 'plug' });
    h.event({ ...C1, event: 'authorize', idTag: 'TAG' });
    idle(h, 60); // authorised, waiting for the station to give current
    h.event({ ...C1, event: 'start' });
    h.charge(M1, 11000, 60);
    h.event({ ...C1, event: 'suspend_evse' });
    idle(h, 120);
    h.event({ ...C1, event: 'resume' });
    h.charge(M1, 11000, 60);
    h.event({ ...C1, event: 'suspend_ev' });
    idle(h, 30); // the EV's own pause: parking, not held
    const s = finish(h);
    expect(s.heldS).toBe(180);
    expect(s.idleTimeS).toBe(211);
    expect(s.periods.reduce((a, p) => a + (p.heldS ?? 0), 0)).toBe(180);
    for (const p of s.periods) expect(p.heldS ?? 0).toBeLessThanOrEqual(p.idleS);
  });

  it('counts a 0 A setpoint from the load limiter while the EV waits', () => {
    const h = new Harness();
    h.reading(M1, 0, 0);
    h.event({ ...C1, cpState: 'C' });
    h.charge(M1, 11000, 60);
    h.ch.handleSetpoint('1', 0, { wallMs: h.wallMs, monoMs: h.monoMs });
    idle(h, 90);
    h.ch.handleSetpoint('1', 16, { wallMs: h.wallMs, monoMs: h.monoMs });
    h.charge(M1, 11000, 60);
    const s = finish(h);
    expect(s.heldS).toBe(90);
    expect(s.chargingTimeS).toBe(120);
  });

  it('a plugged EV nobody authorised is not held', () => {
    const h = new Harness();
    h.reading(M1, 0, 0);
    h.event({ ...C1, event: 'plug' });
    idle(h, 60);
    expect(finish(h).heldS).toBe(0);
  });

  it('setpoints for connectors of another charger are ignored', () => {
    const h = new Harness();
    expect(h.ch.handleSetpoint('9', 0, { wallMs: h.wallMs, monoMs: h.monoMs })).toBe(false);
  });
});
