import { describe, expect, it } from 'vitest';
import { DEFAULT_SIM_CONFIG, resolveSimConfig } from '../../hardware/simulator/config';
import { SimSite, SITE_METER_ID } from '../../hardware/simulator/site';
import type { ChargerEvent } from '../../hardware/simulator/connector';

function run(site: SimSite, fromMs: number, toMs: number, stepMs = 1000): ChargerEvent[] {
  const events: ChargerEvent[] = [];
  for (let t = fromMs + stepMs; t <= toMs; t += stepMs) events.push(...site.tick(t));
  return events;
}

describe('simulated site', () => {
  it('finishes a whole visit (plug … unplug) within 60 s with the defaults', () => {
    const site = new SimSite(DEFAULT_SIM_CONFIG, 0);
    const events = run(site, 0, 60_000);
    const first = events.filter((e) => e.connectorId === '1').map((e) => e.event);
    expect(first.slice(0, 6)).toEqual(['plug', 'authorize', 'start', 'suspend_ev', 'stop', 'unplug']);
    const stop = events.find((e) => e.event === 'stop');
    expect(stop?.reason).toBe('ev');
    expect(stop!.timeMs).toBeLessThanOrEqual(60_000);
  });

  it('meters the energy the EV took, and the site meter sees building plus EVs', () => {
    const site = new SimSite({ ...DEFAULT_SIM_CONFIG, connectors: 1 }, 0);
    const [cp0] = site.snapshots();
    run(site, 0, 20_000);
    const [cp, siteSnap] = site.snapshots();
    expect(siteSnap.meterId).toBe(SITE_METER_ID);
    expect(cp.energyImportWh).toBeGreaterThan(cp0.energyImportWh);
    const ev = site.connectors[0].ev!;
    // Register and EV agree to within one step's rounding of a Wh.
    expect(Math.abs(cp.energyImportWh - cp0.energyImportWh - ev.deliveredWh)).toBeLessThan(1.01);
    for (let p = 0; p < 3; p++) expect(siteSnap.currentA[p]).toBeGreaterThanOrEqual(cp.currentA[p]);
  });

  it('follows setpoints after the ramp delay and suspends at 0 A', () => {
    const cfg = { ...DEFAULT_SIM_CONFIG, connectors: 1, phases: '3' as const, sessionWh: 10_000 };
    const site = new SimSite(cfg, 0);
    run(site, 0, 10_000);
    expect(site.connectors[0].phase).toBe('charging');
    site.applySetpoint('1', 10, 10_000);
    run(site, 10_000, 10_000 + cfg.rampDelayMs + 1000);
    expect(site.connectors[0].drawA).toEqual([10, 10, 10]);
    site.applySetpoint('1', 0, 14_000);
    const events = run(site, 13_000, 16_000);
    expect(events.map((e) => e.event)).toContain('suspend_evse');
  });

  it('falls back to the safe current when a setpoint expires', () => {
    const cfg = { ...DEFAULT_SIM_CONFIG, connectors: 1, phases: '3' as const, sessionWh: 10_000 };
    const site = new SimSite(cfg, 0);
    run(site, 0, 10_000);
    site.applySetpoint('1', 16, 10_000, 5, 8);
    expect(site.connectors[0].offerA(14_000)).toBe(16);
    expect(site.connectors[0].offerA(15_001)).toBe(8);
  });

  it('rejects bad settings with a clear message', () => {
    expect(() => resolveSimConfig({ connectors: '0' }, {})).toThrow(/connectors/);
    expect(() => resolveSimConfig({ phases: '2' }, {})).toThrow(/phases/);
    expect(resolveSimConfig({}, { CHARGELEDGER_SIM_CONNECTORS: '4' }).connectors).toBe(4);
  });
});
