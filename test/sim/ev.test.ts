import { describe, expect, it } from 'vitest';
import { EvModel } from '../../hardware/simulator/ev';

describe('EvModel', () => {
  it('follows an offer only after the ramp delay, capped at its max', () => {
    const ev = new EvModel({ phases: 3, maxCurrentA: 16, batteryWh: 60000, socStartPct: 20, rampDelayMs: 2000 });
    ev.offer(32, 0);
    expect(ev.draw(1999)).toEqual([0, 0, 0]);
    expect(ev.draw(2000)).toEqual([16, 16, 16]);
    ev.offer(10, 5000);
    expect(ev.draw(6000)).toEqual([16, 16, 16]);
    expect(ev.draw(7000)).toEqual([10, 10, 10]);
  });

  it('pauses below its minimum and loads only its phase when 1-phase', () => {
    const ev = new EvModel({ phases: 1, phase: 2, maxCurrentA: 32, batteryWh: 40000, socStartPct: 50, rampDelayMs: 0 });
    ev.offer(5.9, 0);
    expect(ev.draw(0)).toEqual([0, 0, 0]);
    ev.offer(12.5, 10);
    expect(ev.draw(10)).toEqual([0, 12.5, 0]);
  });

  it('takes less than offered with a draw factor', () => {
    const ev = new EvModel({ phases: 1, maxCurrentA: 32, batteryWh: 40000, socStartPct: 50, rampDelayMs: 0, drawFactor: 0.5 });
    ev.offer(20, 0);
    expect(ev.draw(0)).toEqual([10, 0, 0]);
  });

  it('charges exactly, tapers near full and stops at the target', () => {
    const ev = new EvModel({ phases: 3, maxCurrentA: 16, batteryWh: 1000, socStartPct: 89, targetSocPct: 95, rampDelayMs: 0 });
    ev.offer(16, 0);
    expect(ev.draw(0)[0]).toBe(16);
    for (let i = 0; i < 10; i++) ev.charge(0.1);
    expect(ev.deliveredWh).toBe(1);
    expect(ev.socPct).toBeCloseTo(89.1, 9);
    ev.charge(30); // 92 %
    const tapered = ev.draw(0)[0];
    expect(tapered).toBeLessThan(16);
    expect(tapered).toBeGreaterThanOrEqual(6);
    ev.charge(30); // 95 %
    expect(ev.full).toBe(true);
    expect(ev.draw(0)).toEqual([0, 0, 0]);
  });

  it('step() integrates the draw into energy', () => {
    const ev = new EvModel({ phases: 3, maxCurrentA: 16, batteryWh: 60000, socStartPct: 0, rampDelayMs: 0 });
    ev.offer(16, 0);
    const wh = ev.step(0, 3_600_000, 230);
    expect(wh).toBeCloseTo(16 * 3 * 230, 6);
  });
});
