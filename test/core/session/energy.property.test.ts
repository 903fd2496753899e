import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MeterReading } from '../../../src/core/types';
import { Harness } from './harness';

const M1 = 'CP1-1';

/** Steps of a charging run: time since the previous reading and the power in that interval (≤ 11 kW). */
const stepsArb = fc.array(fc.record({ dtMs: fc.integer({ min: 100, max: 30_000 }), powerW: fc.integer({ min: 0, max: 11_000 }) }), { minLength: 1, maxLength: 80 });

/** Build the readings of a run (in seq order) with exact integer registers; returns them and the total Wh. */
function buildReadings(h: Harness, steps: Array<{ dtMs: number; powerW: number }>): { readings: MeterReading[]; totalWh: number } {
  const readings: MeterReading[] = [];
  let carry = 0;
  let total = 0;
  for (const st of steps) {
    h.advance(st.dtMs);
    carry += st.powerW * st.dtMs;
    const wh = Math.floor(carry / 3_600_000);
    carry -= wh * 3_600_000;
    total += wh;
    readings.push(h.makeReading(M1, wh, st.powerW));
  }
  return { readings, totalWh: total };
}

/** Deliver with duplicates and local reordering (each reading delayed by up to `maxDelay` positions). */
function perturb(readings: MeterReading[], delays: number[], dups: boolean[]): MeterReading[] {
  const keyed = readings.map((r, i) => ({ r, k: i + (delays[i % delays.length] ?? 0) + i / 1e6 }));
  const out: MeterReading[] = [];
  for (const { r } of keyed.sort((a, b) => a.k - b.k)) {
    out.push(r);
    if (dups[r.seq % dups.length]) out.push({ ...r });
  }
  return out;
}

describe('session energy (property)', () => {
  it('always equals end register − start register, however readings are split, delayed, duplicated or reordered', () => {
    fc.assert(
      fc.property(stepsArb, fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 20 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }), fc.integer({ min: 1, max: 30 }), (steps, delays, dups, periodMin) => {
        const period = [1, 2, 3, 5, 10, 15, 30].find((p) => p >= periodMin) ?? 15;
        const h = new Harness({ periodMin: period });
        h.reading(M1, 0, 0);
        h.event({ connectorId: '1', event: 'start' });
        const { readings, totalWh } = buildReadings(h, steps);
        for (const r of perturb(readings, delays, dups)) h.feed(r);
        h.event({ connectorId: '1', event: 'stop' });
        h.advance(1000);
        h.reading(M1, 0, 0);
        const [s] = h.finished();
        expect(s.energyWh).toBe(s.endReading.energyWh - s.startReading.energyWh);
        expect(s.energyWh).toBe(totalWh); // the closing reading is the newest: nothing is lost
        expect(s.energyWh).toBeGreaterThanOrEqual(0);
        expect(s.periods.reduce((a, p) => a + p.energyWh, 0)).toBe(s.energyWh);
        expect(s.flags.filter((f) => f.startsWith('meter_reset') || f.startsWith('implausible'))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('survives a checkpoint/restore (redeploy or power loss) at any point with the exact energy', () => {
    fc.assert(
      fc.property(stepsArb, fc.nat(), fc.boolean(), fc.integer({ min: 0, max: 3_600_000 }), (steps, cutAt, powerLoss, downtimeMs) => {
        const a = new Harness({}, 'boot-A');
        a.reading(M1, 0, 0);
        a.event({ connectorId: '1', event: 'start' });
        const { readings, totalWh } = buildReadings(a, steps);
        const cut = cutAt % (readings.length + 1);
        for (const r of readings.slice(0, cut)) a.feed(r);
        const saved = a.checkpoints();
        const b = new Harness({}, powerLoss ? 'boot-B' : 'boot-A');
        b.register = a.register;
        b.wallMs = a.wallMs + (powerLoss ? downtimeMs : 0);
        b.monoMs = powerLoss ? 7 : a.monoMs;
        if (!powerLoss) b.seq = new Map(a.seq);
        b.ch.recover(saved);
        if (!powerLoss) {
          for (const r of readings.slice(cut)) b.feed(r);
        } else {
          // The charger reports the connector still charging: the same session resumes with the whole energy.
          b.event({ connectorId: '1', cpState: 'C', report: 'status' });
        }
        b.event({ connectorId: '1', event: 'stop' });
        b.advance(1000);
        b.reading(M1, 0, 0);
        const [s] = b.finished();
        expect(s.energyWh).toBe(s.endReading.energyWh - s.startReading.energyWh);
        expect(s.energyWh).toBe(totalWh);
        expect(s.stopReason).toBe('local');
        if (powerLoss) expect(s.flags).toContain('recovered:resumed');
      }),
      { numRuns: 200 },
    );
  });

  it('with a wrapping register, energy equals the unwrapped difference and is never negative', () => {
    fc.assert(
      fc.property(stepsArb, fc.integer({ min: 0, max: 99_999 }), (steps, startReg) => {
        const h = new Harness({ rolloverModulusWh: 100_000 });
        h.register.set(M1, startReg);
        h.reading(M1, 0, 0);
        h.event({ connectorId: '1', event: 'start' });
        const { readings, totalWh } = buildReadings(h, steps);
        for (const r of readings) h.feed(r);
        h.event({ connectorId: '1', event: 'stop' });
        h.advance(1000);
        h.reading(M1, 0, 0);
        const [s] = h.finished();
        expect(s.energyWh).toBe(totalWh);
        expect((((s.endReading.energyWh - s.startReading.energyWh) % 100_000) + 100_000) % 100_000).toBe(totalWh % 100_000);
      }),
      { numRuns: 200 },
    );
  });
});

describe('state machine under arbitrary inputs (property)', () => {
  const actionArb = fc.oneof(
    fc.record({ event: fc.constantFrom('plug', 'authorize', 'start', 'suspend_ev', 'suspend_evse', 'resume', 'stop', 'unplug'), connectorId: fc.constantFrom('1', '2') }),
    fc.record({ cpState: fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F'), connectorId: fc.constantFrom('1', '2') }),
    fc.record({ meter: fc.constantFrom('CP1-1', 'CP1-2'), addWh: fc.integer({ min: -5000, max: 40 }), dtMs: fc.integer({ min: 0, max: 120_000 }) }),
    fc.record({ tickMs: fc.integer({ min: 0, max: 60_000 }) }),
  );

  it('never throws, never yields negative energy, ids are unique and periods add up', () => {
    fc.assert(
      fc.property(fc.array(actionArb, { maxLength: 120 }), (actions) => {
        const h = new Harness();
        for (const a of actions) {
          if ('meter' in a) {
            h.advance(a.dtMs);
            // a negative step is a meter reset/replacement: the register jumps down
            if (a.addWh < 0) h.register.set(a.meter, Math.max(0, h.register.get(a.meter)! + a.addWh));
            h.reading(a.meter, Math.max(0, a.addWh), a.addWh > 0 ? 1000 : 0);
          } else if ('tickMs' in a) {
            h.advance(a.tickMs);
            h.tick();
          } else {
            h.event(a as Record<string, unknown>);
          }
        }
        const done = h.finished();
        expect(new Set(done.map((s) => s.id)).size).toBe(done.length);
        for (const s of done) {
          expect(s.energyWh).toBeGreaterThanOrEqual(0);
          expect(s.periods.reduce((x, p) => x + p.energyWh, 0)).toBe(s.energyWh);
          expect(s.durationS).toBeGreaterThanOrEqual(0);
          if (!s.flags.some((f) => f.startsWith('meter_reset'))) expect(s.energyWh).toBe(s.endReading.energyWh - s.startReading.energyWh);
        }
      }),
      { numRuns: 300 },
    );
  });
});
