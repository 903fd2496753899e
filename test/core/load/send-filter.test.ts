import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SetpointSendFilter } from '../../../src/core/load/send-filter';
import type { Setpoint } from '../../../src/core/load/types';

const sp = (connectorId: string, currentA: number, phases: 1 | 3 = 3): Setpoint => ({ connectorId, currentA, phases, validForS: 10, validUntil: '2026-11-25T00:00:10.000Z', boundBy: 'fair_share', safeCurrentA: 6 });

describe('setpoint send filter (send: changes)', () => {
  it('sends every connector first, then only changes', () => {
    const f = new SetpointSendFilter(5000);
    expect(f.select([sp('1', 16), sp('2', 16)], 0).map((s) => s.connectorId)).toEqual(['1', '2']);
    expect(f.select([sp('1', 16), sp('2', 16)], 1000)).toEqual([]);
    expect(f.select([sp('1', 16), sp('2', 12.5)], 2000)).toEqual([sp('2', 12.5)]);
    expect(f.select([sp('1', 16, 1), sp('2', 12.5)], 2500)).toEqual([sp('1', 16, 1)]);
  });

  it('refreshes a setpoint before its validity runs out, counted from when it was last sent', () => {
    const f = new SetpointSendFilter(5000);
    f.select([sp('1', 16), sp('2', 16)], 0);
    f.select([sp('1', 16), sp('2', 10)], 3000);
    expect(f.select([sp('1', 16), sp('2', 10)], 4999)).toEqual([]);
    expect(f.select([sp('1', 16), sp('2', 10)], 5000)).toEqual([sp('1', 16)]);
    expect(f.select([sp('1', 16), sp('2', 10)], 8000)).toEqual([sp('2', 10)]);
  });

  it('sends everything again after a reset', () => {
    const f = new SetpointSendFilter(5000);
    f.select([sp('1', 16)], 0);
    f.reset();
    expect(f.select([sp('1', 16)], 10)).toEqual([sp('1', 16)]);
  });

  it('never lets a connector go longer than the refresh time without a message while decisions keep coming', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 700 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 200 }), (steps) => {
        const refreshMs = 1000;
        const f = new SetpointSendFilter(refreshMs);
        let now = 0;
        let lastSentAt = -Infinity;
        let lastSentA: number | null = null;
        for (const [dt, level] of steps) {
          now += dt;
          const currentA = 6 + level * 2;
          const sent = f.select([sp('1', currentA)], now);
          if (sent.length) {
            lastSentAt = now;
            lastSentA = sent[0].currentA;
          }
          // At every decision the charger has last heard the current setpoint, less than the refresh time ago.
          expect(lastSentA).toBe(currentA);
          expect(now - lastSentAt).toBeLessThan(refreshMs);
        }
      }),
    );
  });
});
