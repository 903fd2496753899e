import { describe, expect, it } from 'vitest';
import { waterFill, type FillDemand } from '../../../src/core/load/waterfill';

const onL1 = (minDa: number, maxDa: number): FillDemand => ({ priority: 1, minDa, maxDa, maxBound: 'connector_max', weights: [1, 0, 0] });

describe('water-filling', () => {
  it('gives the last deci-amps to the lowest connector once its neighbour reached its max (found by the fairness property)', () => {
    // 28.5 A on L1 for three 1-phase EVs: minimums 9.6 / 6 / 6 A, maximums 9.7 / 9.4 / 9.5 A.
    const out = waterFill([onL1(96, 97), onL1(60, 94), onL1(60, 95)], [285, 0, 0]);
    expect(out).toEqual([
      { da: 96, boundBy: 'site_phase_L1' },
      { da: 94, boundBy: 'connector_max' },
      { da: 95, boundBy: 'connector_max' },
    ]);
  });

  it('leaves the last dA unused rather than give it to a connector above the ones it cannot lift together (found by the fairness property)', () => {
    // 25.3 A: minimums 6 / 8.8 / 6 A. The two at 6 A rise together to 8.2 A; 0.1 A is left, which
    // the middle one (at its own minimum of 8.8 A) must not take while the others are stuck below.
    const out = waterFill([onL1(60, 83), onL1(88, 89), onL1(60, 83)], [253, 0, 0]);
    expect(out.map((o) => o.da)).toEqual([82, 88, 82]);
    expect(out.every((o) => o.boundBy === 'site_phase_L1')).toBe(true);
  });

  it('gives a connector whose max is below the equal share its max, and the rest share equally', () => {
    const out = waterFill([onL1(60, 320), onL1(60, 320), onL1(60, 70)], [250, 0, 0]);
    expect(out.map((o) => o.da)).toEqual([90, 90, 70]);
    expect(out.map((o) => o.boundBy)).toEqual(['site_phase_L1', 'site_phase_L1', 'connector_max']);
  });
});
