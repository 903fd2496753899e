import { describe, expect, it } from 'vitest';
import type { EvSpec } from '../../hardware/simulator/ev';
import type { ConnectorConfig } from '../../src/core/load/types';
import { fairShare, type OracleDemand } from './fair-share';
import { noise, runSim, type Arrival, type Tick } from './harness';

const car = (over: Partial<EvSpec>): EvSpec => ({ phases: 3, maxCurrentA: 32, batteryWh: 100_000, socStartPct: 20, rampDelayMs: 2000, ...over });

/** Ticks in steady state: no building rise and no arrival in the last `settleMs`. */
function steady(ticks: Tick[], disturbancesMs: number[], settleMs: number): Tick[] {
  return ticks.filter((t) => !disturbancesMs.some((d) => t.tMs >= d && t.tMs < d + settleMs));
}

function expectWithinLimit(ticks: Tick[], limitA: number[]): void {
  for (const t of ticks) for (let p = 0; p < 3; p++) expect(t.siteA[p], `L${p + 1} at ${t.tMs} ms`).toBeLessThanOrEqual(limitA[p] + 1e-9);
}

/** Setpoints must not change at all within [fromMs, toMs]. */
function expectNoChange(ticks: Tick[], fromMs: number, toMs: number): void {
  const window = ticks.filter((t) => t.tMs >= fromMs && t.tMs <= toMs && t.setpoints);
  const first = JSON.stringify(window[0].setpoints?.map((s) => s.currentA));
  for (const t of window) expect(JSON.stringify(t.setpoints?.map((s) => s.currentA)), `setpoints at ${t.tMs} ms`).toBe(first);
}

describe('load control with simulated EVs', () => {
  // Six connectors on 3 x 63 A: a 3-phase EV, one limited to 16 A by the EVSE, a 1-phase car on a 3-phase connector,
  // a 1-phase connector on L2, a car whose on-board charger takes only 8 A, and a 20 A cable.
  const connectors: ConnectorConfig[] = [
    { id: '1', phases: 3, maxCurrentA: 32, meterId: 'M1' },
    { id: '2', phases: 3, maxCurrentA: 16, meterId: 'M2' },
    { id: '3', phases: 3, maxCurrentA: 32, meterId: 'M3' },
    { id: '4', phases: 1, phase: 2, maxCurrentA: 32, meterId: 'M4' },
    { id: '5', phases: 3, maxCurrentA: 32, meterId: 'M5' },
    { id: '6', phases: 3, maxCurrentA: 32, cableMaxCurrentA: 20, meterId: 'M6' },
  ];
  const arrivals: Arrival[] = [
    { atMs: 5000, connectorId: '1', ev: car({ rampDelayMs: 1000 }), leaveMs: 400_000 },
    { atMs: 5000, connectorId: '2', ev: car({ rampDelayMs: 3000 }) },
    { atMs: 20_000, connectorId: '3', ev: car({ phases: 1, phase: 1, rampDelayMs: 2500 }) },
    { atMs: 20_000, connectorId: '4', ev: car({ phases: 1, phase: 2, rampDelayMs: 1500 }) },
    { atMs: 40_000, connectorId: '5', ev: car({ maxCurrentA: 8, rampDelayMs: 2000 }) },
    { atMs: 60_000, connectorId: '6', ev: car({ rampDelayMs: 3000 }) },
  ];
  const SEED = Number(process.env.LOAD_SIM_SEED ?? 1);
  const jitter = [noise(SEED, 0.3), noise(SEED + 1, 0.3), noise(SEED + 2, 0.3)];
  // 3 A base load with ±0.3 A noise; +4 A on L1 from 200 s to 300 s.
  const building = (t: number): [number, number, number] => [3 + jitter[0](t) + (t >= 200_000 && t < 300_000 ? 4 : 0), 3 + jitter[1](t), 3 + jitter[2](t)];
  const ticks = runSim({
    config: { site: { maxCurrentA: 63 }, connectors, tuning: { reserveA: 1, hysteresisA: 0.4, evDrawMarginA: 2 } },
    building,
    arrivals,
    durationMs: 500_000,
    connectorMeters: true,
  });
  const at = (ms: number): Tick => ticks.find((t) => t.tMs === ms) as Tick;

  it('never exceeds the limit on any phase in steady state', () => {
    // Only a building rise can overshoot, until the EVs have followed the cut (reading + ramp delay).
    expectWithinLimit(steady(ticks, [200_000], 5000), [63, 63, 63]);
  });

  it('gives every connector its fair share within 0.5 A', () => {
    const checks: Array<[number, string[], number]> = [
      [190_000, ['1', '2', '3', '4', '5', '6'], 0],
      [290_000, ['1', '2', '3', '4', '5', '6'], 4],
      [390_000, ['1', '2', '3', '4', '5', '6'], 0],
      [490_000, ['2', '3', '4', '5', '6'], 0],
    ];
    const phasesOf: Record<string, number[]> = { '1': [1, 2, 3], '2': [1, 2, 3], '3': [1], '4': [2], '5': [1, 2, 3], '6': [1, 2, 3] };
    const maxOf: Record<string, number> = { '1': 32, '2': 16, '3': 32, '4': 32, '5': 8 + 2, '6': 20 };
    for (const [ms, ids, extraL1] of checks) {
      const t = at(ms);
      // The fair share of what the building's peak (3 A + 0.3 A noise) leaves of the limit minus the 1 A reserve.
      const demands: OracleDemand[] = ids.map((id) => ({ id, phases: phasesOf[id], minA: 6, maxA: maxOf[id], priority: 0 }));
      const free = 63 - 1 - 3.3;
      const share = fairShare([free - extraL1, free, free], demands);
      for (const sp of t.setpoints ?? []) {
        const want = share[sp.connectorId] ?? 0;
        expect(Math.abs(sp.currentA - want), `connector ${sp.connectorId} at ${ms} ms: ${sp.currentA} A vs fair ${want.toFixed(2)} A (${sp.boundBy})`).toBeLessThanOrEqual(0.5);
      }
    }
    // The car that takes 8 A is offered its draw plus the margin; the 1-phase car was seen as 1-phase.
    expect(at(190_000).setpoints?.find((s) => s.connectorId === '5')?.boundBy).toBe('ev_draw');
    expect(at(190_000).setpoints?.find((s) => s.connectorId === '3')?.phases).toBe(1);
  });

  it('does not oscillate: setpoints stand still while conditions do, despite ±0.3 A noise', () => {
    for (const [from, to] of [[150_000, 199_000], [250_000, 299_000], [350_000, 399_000], [450_000, 500_000]]) expectNoChange(ticks, from, to);
  });

  it('engages the fail-safe within the timeout when the site meter dies, and recovers', () => {
    const sim = runSim({
      config: { site: { maxCurrentA: 32 }, connectors: connectors.slice(0, 2), tuning: { safeCurrentA: 6, siteTimeoutMs: 3000 } },
      building: () => [2, 2, 2],
      arrivals: arrivals.slice(0, 2),
      durationMs: 200_000,
      siteMeterDown: (t) => t > 100_000 && t <= 150_000,
    });
    const before = sim.find((t) => t.tMs === 99_000) as Tick;
    expect(before.failSafe).toBe(false);
    expect(before.setpoints?.some((s) => s.currentA > 6)).toBe(true);
    const engaged = sim.find((t) => t.tMs > 100_000 && t.failSafe) as Tick;
    expect(engaged.tMs - 100_000).toBeLessThanOrEqual(3000 + 1000);
    expect(engaged.setpoints?.every((s) => s.currentA === 6 && s.boundBy === 'fail_safe')).toBe(true);
    expect(sim.filter((t) => t.tMs > 104_000 && t.tMs <= 150_000).every((t) => t.failSafe)).toBe(true);
    const after = sim.find((t) => t.tMs === 199_000) as Tick;
    expect(after.failSafe).toBe(false);
    expectWithinLimit(sim, [32, 32, 32]);
  });

  it('falls back to the safe current in the chargers when the controller dies (setpoint validity)', () => {
    const sim = runSim({
      config: { site: { maxCurrentA: 63 }, connectors: connectors.slice(0, 2), tuning: { safeCurrentA: 8, validForS: 10 } },
      building: () => [2, 2, 2],
      arrivals: arrivals.slice(0, 2),
      durationMs: 150_000,
      controllerDown: (t) => t > 100_000,
    });
    expect((sim.find((t) => t.tMs === 100_000) as Tick).offeredA['1']).toBe(32);
    const fallback = sim.filter((t) => t.tMs > 100_000 && Object.values(t.offeredA).every((a) => a === 8));
    expect(fallback[0].tMs - 100_000).toBeLessThanOrEqual(10_000 + 1000);
    expect(sim.filter((t) => t.tMs >= fallback[0].tMs).every((t) => Object.values(t.offeredA).every((a) => a === 8))).toBe(true);
  });

  it('rotates EVs that do not all fit, respecting minimum on/off times, without starving anyone', () => {
    const four: ConnectorConfig[] = ['1', '2', '3', '4'].map((id) => ({ id, phases: 3, maxCurrentA: 32 }));
    const sim = runSim({
      config: { site: { maxCurrentA: 20 }, connectors: four, tuning: { reserveA: 1, minOnMs: 60_000, minOffMs: 30_000 } },
      building: () => [1, 1, 1],
      arrivals: four.map((c, i) => ({ atMs: 1000 + i * 1000, connectorId: c.id, ev: car({ rampDelayMs: 1500 }) })),
      durationMs: 600_000,
    });
    expectWithinLimit(steady(sim, [], 0), [20, 20, 20]);
    for (const c of four) {
      const on = sim.filter((t) => (t.setpoints?.find((s) => s.connectorId === c.id)?.currentA ?? 0) > 0);
      expect(on.length, `connector ${c.id} charged`).toBeGreaterThan(100);
      // Runs and pauses (after the first start) last at least the minimum on/off times.
      const runs: Array<[boolean, number]> = [];
      for (const t of sim.filter((t) => t.tMs > 10_000)) {
        const isOn = (t.setpoints?.find((s) => s.connectorId === c.id)?.currentA ?? 0) > 0;
        if (!runs.length || runs[runs.length - 1][0] !== isOn) runs.push([isOn, 0]);
        runs[runs.length - 1][1] += 1000;
      }
      for (const [isOn, ms] of runs.slice(1, -1)) expect(ms, `connector ${c.id} ${isOn ? 'on' : 'off'} run`).toBeGreaterThanOrEqual(isOn ? 60_000 : 30_000);
    }
  });

  it('without connector meters: a car taking 60 % of its offer, arrivals, departures and a building step stay under the limit, without oscillating', () => {
    const three: ConnectorConfig[] = [
      { id: '1', phases: 3, maxCurrentA: 32 },
      { id: '2', phases: 3, maxCurrentA: 32 },
      { id: '3', phases: 1, phase: 3, maxCurrentA: 32 },
    ];
    const j = [noise(SEED + 7, 0.2), noise(SEED + 8, 0.2), noise(SEED + 9, 0.2)];
    const sim = runSim({
      config: { site: { maxCurrentA: 32 }, connectors: three, tuning: { reserveA: 1, hysteresisA: 0.5 } },
      building: (t) => [5 + j[0](t), 5 + j[1](t), 5 + j[2](t) + (t >= 150_000 && t < 250_000 ? 6 : 0)],
      arrivals: [
        { atMs: 2000, connectorId: '1', ev: car({ rampDelayMs: 2500 }), leaveMs: 300_000 },
        { atMs: 30_000, connectorId: '2', ev: car({ drawFactor: 0.6, rampDelayMs: 1500 }) },
        { atMs: 60_000, connectorId: '3', ev: car({ phases: 1, phase: 3, rampDelayMs: 3000 }) },
      ],
      durationMs: 400_000,
    });
    expectWithinLimit(steady(sim, [150_000], 5000), [32, 32, 32]);
    for (const [from, to] of [[110_000, 149_000], [200_000, 249_000], [350_000, 400_000]]) expectNoChange(sim, from, to);
    // L3's building step cuts every EV on L3 (all three) below what they had before it.
    const sp = (ms: number, id: string): number => sim.find((t) => t.tMs === ms)?.setpoints?.find((s) => s.connectorId === id)?.currentA ?? NaN;
    for (const id of ['1', '2', '3']) expect(sp(240_000, id)).toBeLessThan(sp(149_000, id));
  });
});
