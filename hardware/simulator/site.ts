import type { SimConfig } from './config';
import { SimConnector, NOMINAL_VOLTAGE_V, type ChargerEvent, type FinishedVisit, type StateReport } from './connector';
import type { SimState } from './state';
import { seededRandom } from './random';

/** What one meter shows at an instant: the values a telegram carries. */
export interface MeterSnapshot {
  meterId: string;
  /** Import register, integer Wh. */
  energyImportWh: number;
  powerW: number;
  voltageV: [number, number, number];
  currentA: [number, number, number];
  frequencyHz: number;
}

/** Id of the site meter, which measures the building and every connector together. */
export const SITE_METER_ID = 'SITE';

/** A charger site: connectors with EVs, a building load and a site meter. Pure: the caller owns the clock. */
export class SimSite {
  readonly connectors: SimConnector[];
  private siteRegisterMilliWh: number;
  private lastMs: number;
  private voltageV: [number, number, number] = [NOMINAL_VOLTAGE_V, NOMINAL_VOLTAGE_V, NOMINAL_VOLTAGE_V];
  private buildingA: [number, number, number];
  private readonly random: () => number;

  /**
   * `holdArrivals`: no EV arrives until releaseArrivals() (the server calls it when the first
   * controller connects), so a controller that starts after the simulator sees the first visit whole.
   */
  constructor(private readonly cfg: SimConfig, startMs: number, opts: { holdArrivals?: boolean } = {}) {
    this.random = seededRandom(cfg.seed);
    this.lastMs = startMs;
    this.buildingA = [cfg.buildingLoadA, cfg.buildingLoadA, cfg.buildingLoadA];
    this.siteRegisterMilliWh = Math.floor(this.random() * 50_000_000) * 1000;
    this.connectors = Array.from({ length: cfg.connectors }, (_, i) => {
      const id = String(i + 1);
      // Stagger the first arrivals so that sessions do not all start in the same second.
      const c = new SimConnector(id, `${cfg.chargerId}-${id}`, cfg, this.random, startMs + 1000 + i * 3000);
      c.arrivalsHeld = opts.holdArrivals === true;
      return c;
    });
  }

  /** Let EVs arrive (staggered as at construction); a no-op once released. */
  releaseArrivals(nowMs: number): void {
    this.connectors.forEach((c, i) => c.releaseArrivals(nowMs + 1000 + i * 3000));
  }

  /** No more EVs arrive; those present finish and leave (ends a test run at a clean point). */
  closeArrivals(): void {
    for (const c of this.connectors) c.closed = true;
  }

  /** True when no EV is plugged in anywhere. */
  get empty(): boolean {
    return this.connectors.every((c) => c.phase === 'empty');
  }

  /** One state report per connector, as a charger sends them to a controller that (re)connects. */
  stateReports(nowMs: number): StateReport[] {
    return this.connectors.map((c) => c.stateReport(nowMs));
  }

  /** Visits that ended since the last call (the ground truth), oldest first. */
  takeFinishedVisits(): FinishedVisit[] {
    return this.connectors.flatMap((c) => c.finished.splice(0));
  }

  /** End every visit in progress (the simulator stops); they come out of takeFinishedVisits(). */
  endOpenVisits(nowMs: number, end: 'simulator_stop' | 'simulator_restart'): void {
    for (const c of this.connectors) c.endOpenVisit(nowMs, end);
  }

  /** What must survive a restart of the simulator: the meter registers, and the visits in progress. */
  exportState(nowMs: number): SimState {
    return {
      version: 1,
      savedAtMs: nowMs,
      siteRegisterMilliWh: this.siteRegisterMilliWh,
      connectors: this.connectors.map((c) => ({ connectorId: c.connectorId, registerMilliWh: c.registerMilliWh, visits: c.visits, open: c.open })),
    };
  }

  /**
   * Continue from a saved state: the registers go on from where they were, as a real meter's do.
   * A visit that was in progress when the simulator died is ended at the saved time (the EV
   * does not come back); it comes out of takeFinishedVisits(). Throws if the state does not fit.
   */
  restoreState(state: SimState): void {
    if (state.connectors.length !== this.connectors.length) throw new Error(`the state file has ${state.connectors.length} connectors, the simulator ${this.connectors.length}`);
    this.siteRegisterMilliWh = state.siteRegisterMilliWh;
    state.connectors.forEach((saved, i) => {
      const c = this.connectors[i];
      if (saved.connectorId !== c.connectorId) throw new Error(`the state file has connector ${saved.connectorId} where the simulator has ${c.connectorId}`);
      c.registerMilliWh = saved.registerMilliWh;
      c.visits = saved.visits;
      c.open = saved.open;
      c.endOpenVisit(state.savedAtMs, 'simulator_restart');
    });
  }

  /** Apply a setpoint to a connector; false if there is no such connector. */
  applySetpoint(connectorId: string, currentA: number, nowMs: number, validForS?: number, safeCurrentA?: number): boolean {
    const c = this.connectors.find((x) => x.connectorId === connectorId);
    if (!c) return false;
    c.applySetpoint(currentA, nowMs, validForS, safeCurrentA);
    return true;
  }

  /** Advance the site to nowMs; returns the charger events that happened. */
  tick(nowMs: number): ChargerEvent[] {
    const fromMs = this.lastMs;
    if (nowMs <= fromMs) return [];
    this.lastMs = nowMs;
    this.voltageV = [0, 1, 2].map(() => Math.round((NOMINAL_VOLTAGE_V + (this.random() - 0.5) * 4) * 10) / 10) as [number, number, number];
    // The building's load wanders slowly around its base, never below zero.
    this.buildingA = this.buildingA.map((a) => Math.max(0, Math.round((a + (this.random() - 0.5) * 0.6 + (this.cfg.buildingLoadA - a) * 0.05) * 100) / 100)) as [number, number, number];
    const events: ChargerEvent[] = [];
    for (const c of this.connectors) events.push(...c.step(fromMs, nowMs, this.voltageV));
    const siteA = this.siteCurrentA();
    const siteW = siteA[0] * this.voltageV[0] + siteA[1] * this.voltageV[1] + siteA[2] * this.voltageV[2];
    this.siteRegisterMilliWh += Math.round((siteW * (nowMs - fromMs)) / 3600);
    return events;
  }

  /** Site current per phase: building plus every EV, A. */
  siteCurrentA(): [number, number, number] {
    const a: [number, number, number] = [...this.buildingA];
    for (const c of this.connectors) for (let p = 0; p < 3; p++) a[p] += c.drawA[p];
    return a.map((x) => Math.round(x * 100) / 100) as [number, number, number];
  }

  /**
   * Every meter's values now: the connector meters first, the site meter last, as a poller
   * reads a bus. The load limiter decides on the site reading, so by then it has the EV
   * draws of the same instant (else it mistakes a ramping EV for building load).
   */
  snapshots(): MeterSnapshot[] {
    const snap = (meterId: string, registerMilliWh: number, currentA: [number, number, number]): MeterSnapshot => ({
      meterId,
      energyImportWh: Math.floor(registerMilliWh / 1000),
      powerW: Math.round(currentA[0] * this.voltageV[0] + currentA[1] * this.voltageV[1] + currentA[2] * this.voltageV[2]),
      voltageV: this.voltageV,
      currentA,
      frequencyHz: 50,
    });
    return [...this.connectors.map((c) => snap(c.meterId, c.registerMilliWh, c.drawA)), snap(SITE_METER_ID, this.siteRegisterMilliWh, this.siteCurrentA())];
  }
}
