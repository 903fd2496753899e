import { EvModel, NOMINAL_VOLTAGE_V } from './ev';
import type { SimConfig } from './config';

/** A charger event as the session node consumes it (documented in hardware/simulator/README.md). */
export interface ChargerEvent {
  connectorId: string;
  event: 'plug' | 'authorize' | 'start' | 'suspend_ev' | 'suspend_evse' | 'resume' | 'stop' | 'unplug';
  idTag?: string;
  reason?: 'ev' | 'local' | 'remote';
  timeMs: number;
}

/** IEC 61851 control-pilot state as a charger reports it: A unplugged, B plugged not charging, C charging. */
export type CpState = 'A' | 'B' | 'C';

/** The state report a charger sends per connector when a controller (re)connects (like OCPP StatusNotification at boot). */
export interface StateReport {
  connectorId: string;
  cpState: CpState;
  /** The authorised driver of the EV plugged in, if any. */
  idTag?: string;
  report: 'status';
  timeMs: number;
}

/** A visit as the simulator really did it: the ground truth that station records are checked against. */
export interface FinishedVisit {
  connectorId: string;
  meterId: string;
  /** Visit number on this connector (1, 2, …). */
  visit: number;
  idTag: string | null;
  plugMs: number;
  unplugMs: number;
  /** The meter register at plug-in and at unplug, integer Wh as the telegrams show it. */
  startRegisterWh: number;
  endRegisterWh: number;
  energyWh: number;
  /** How the visit ended: the EV left, or the simulator stopped / restarted with the EV plugged in. */
  end: 'unplug' | 'simulator_stop' | 'simulator_restart';
}

/** An EV's visit in progress (persisted in the state file). */
export interface OpenVisit {
  visit: number;
  plugMs: number;
  idTag: string | null;
  startRegisterMilliWh: number;
}

/** Where a connector is in its EV's visit. */
export type ConnectorPhase = 'empty' | 'plugged' | 'authorized' | 'charging' | 'suspended_ev' | 'suspended_evse' | 'stopped';

/** How long each step of a visit takes, ms: short enough that a default session ends within 60 s. */
const STEP_MS = { authorize: 1000, start: 500, stopAfterFull: 2000, unplugAfterStop: 3000 } as const;

/** A setpoint as the EVSE holds it: it falls back to the safe current once it expires. */
interface HeldSetpoint {
  currentA: number;
  expiresAtMs: number | null;
  safeCurrentA: number;
}

/** One connector with its meter and, at times, an EV: a pure model stepped by the site. */
export class SimConnector {
  phase: ConnectorPhase = 'empty';
  ev: EvModel | null = null;
  /** The connector meter's import register, integer mWh (exact; the telegram shows whole Wh). */
  registerMilliWh = 0;
  /** Current per phase drawn in the last step, A. */
  drawA: [number, number, number] = [0, 0, 0];
  /** The visit in progress, from plug-in to unplug. */
  open: OpenVisit | null = null;
  /** Visits that ended since the site last collected them. */
  readonly finished: FinishedVisit[] = [];
  /** While true, no EV arrives (the site waits for a controller before the first arrival). */
  arrivalsHeld = false;
  /** Once true, no EV arrives any more (the EV present finishes and leaves). */
  closed = false;
  /** Visits so far (also after a restore). */
  visits = 0;
  private phaseSinceMs: number;
  private setpoint: HeldSetpoint;

  constructor(
    readonly connectorId: string,
    readonly meterId: string,
    private readonly cfg: SimConfig,
    private readonly random: () => number,
    firstArrivalMs: number,
  ) {
    this.phaseSinceMs = firstArrivalMs - cfg.arrivalGapMs;
    this.setpoint = { currentA: cfg.defaultOfferA, expiresAtMs: null, safeCurrentA: cfg.defaultOfferA };
    // Start each meter at a different, realistic lifetime reading: sessions must never report it.
    this.registerMilliWh = Math.floor(random() * 5_000_000) * 1000;
  }

  /** Apply a setpoint from the load limiter; `validForS` makes the EVSE fall back by itself. */
  applySetpoint(currentA: number, nowMs: number, validForS?: number, safeCurrentA?: number): void {
    this.setpoint = {
      currentA: Math.min(currentA, this.cfg.maxCurrentA),
      expiresAtMs: validForS ? nowMs + validForS * 1000 : null,
      safeCurrentA: safeCurrentA ?? this.setpoint.safeCurrentA,
    };
    if (this.ev && (this.phase === 'charging' || this.phase === 'suspended_evse')) this.ev.offer(this.offerA(nowMs), nowMs);
  }

  /** Let EVs arrive again: the first one after the gap's stagger (firstArrivalMs as in the constructor). */
  releaseArrivals(firstArrivalMs: number): void {
    if (!this.arrivalsHeld) return;
    this.arrivalsHeld = false;
    if (this.phase === 'empty') this.phaseSinceMs = firstArrivalMs - this.cfg.arrivalGapMs;
  }

  /** What the charger reports for this connector now (sent to each controller on connect). */
  stateReport(nowMs: number): StateReport {
    const cpState: CpState = this.phase === 'empty' ? 'A' : this.phase === 'charging' ? 'C' : 'B';
    const r: StateReport = { connectorId: this.connectorId, cpState, report: 'status', timeMs: nowMs };
    if (this.open?.idTag) r.idTag = this.open.idTag;
    return r;
  }

  /** The meter register as the telegrams show it, integer Wh. */
  get registerWh(): number {
    return Math.floor(this.registerMilliWh / 1000);
  }

  /** End the visit in progress without the EV leaving (the simulator stops); its truth goes to `finished`. */
  endOpenVisit(nowMs: number, end: 'simulator_stop' | 'simulator_restart'): void {
    if (this.open) this.finish(nowMs, end);
  }

  private finish(nowMs: number, end: FinishedVisit['end']): void {
    const v = this.open!;
    const startRegisterWh = Math.floor(v.startRegisterMilliWh / 1000);
    this.finished.push({
      connectorId: this.connectorId,
      meterId: this.meterId,
      visit: v.visit,
      idTag: v.idTag,
      plugMs: v.plugMs,
      unplugMs: nowMs,
      startRegisterWh,
      endRegisterWh: this.registerWh,
      energyWh: this.registerWh - startRegisterWh,
      end,
    });
    this.open = null;
  }

  /** The current the EVSE signals now, A per phase. */
  offerA(nowMs: number): number {
    const sp = this.setpoint;
    return sp.expiresAtMs !== null && nowMs > sp.expiresAtMs ? Math.min(sp.safeCurrentA, this.cfg.maxCurrentA) : sp.currentA;
  }

  /** Advance from `fromMs` to `nowMs`: integrate energy, move the visit on, return the events. */
  step(fromMs: number, nowMs: number, voltageV: [number, number, number]): ChargerEvent[] {
    const events: ChargerEvent[] = [];
    const emit = (event: ChargerEvent['event'], extra: Partial<ChargerEvent> = {}) => events.push({ connectorId: this.connectorId, event, timeMs: nowMs, ...extra });
    this.drawA = [0, 0, 0];
    if (this.ev && (this.phase === 'charging' || this.phase === 'suspended_evse')) {
      this.drawA = this.ev.draw(fromMs);
      const energyWh = ((this.drawA[0] * voltageV[0] + this.drawA[1] * voltageV[1] + this.drawA[2] * voltageV[2]) * (nowMs - fromMs)) / 3_600_000;
      this.ev.charge(energyWh);
      this.registerMilliWh += Math.round(energyWh * 1000);
    }
    const inPhase = nowMs - this.phaseSinceMs;
    const go = (p: ConnectorPhase) => {
      this.phase = p;
      this.phaseSinceMs = nowMs;
    };
    switch (this.phase) {
      case 'empty':
        if (!this.arrivalsHeld && !this.closed && (this.cfg.visits === 0 || this.visits < this.cfg.visits) && inPhase >= this.cfg.arrivalGapMs) {
          this.ev = this.newEv();
          this.open = { visit: this.visits, plugMs: nowMs, idTag: null, startRegisterMilliWh: this.registerMilliWh };
          go('plugged');
          emit('plug');
        }
        break;
      case 'plugged':
        if (inPhase >= STEP_MS.authorize) {
          go('authorized');
          const idTag = `RFID${String(1000 + Math.floor(this.random() * 9000))}`;
          if (this.open) this.open.idTag = idTag;
          emit('authorize', { idTag });
        }
        break;
      case 'authorized':
        if (inPhase >= STEP_MS.start) {
          go('charging');
          this.ev?.offer(this.offerA(nowMs), nowMs);
          emit('start');
        }
        break;
      case 'charging':
        if (this.ev?.full) {
          go('suspended_ev');
          emit('suspend_ev');
        } else if (this.offerA(nowMs) < 6) {
          go('suspended_evse');
          emit('suspend_evse');
        }
        break;
      case 'suspended_evse':
        if (this.offerA(nowMs) >= 6) {
          go('charging');
          this.ev?.offer(this.offerA(nowMs), nowMs);
          emit('resume');
        }
        break;
      case 'suspended_ev':
        if (inPhase >= STEP_MS.stopAfterFull) {
          go('stopped');
          emit('stop', { reason: 'ev' });
        }
        break;
      case 'stopped':
        if (inPhase >= STEP_MS.unplugAfterStop) {
          this.ev = null;
          go('empty');
          if (this.open) this.finish(nowMs, 'unplug');
          emit('unplug');
        }
        break;
    }
    return events;
  }

  private newEv(): EvModel {
    this.visits++;
    const threePhase = this.cfg.phases === '3' || (this.cfg.phases === 'mixed' && (this.visits + Number(this.connectorId)) % 2 === 0);
    const batteryWh = 60_000;
    const socStartPct = 20 + Math.floor(this.random() * 40);
    return new EvModel({
      id: `${this.connectorId}-${this.visits}`,
      phases: threePhase ? 3 : 1,
      phase: threePhase ? 1 : (((Number(this.connectorId) - 1) % 3) + 1) as 1 | 2 | 3,
      maxCurrentA: threePhase ? 16 : 32,
      batteryWh,
      socStartPct,
      targetSocPct: socStartPct + (this.cfg.sessionWh / batteryWh) * 100,
      taperStartPct: 100,
      rampDelayMs: this.cfg.rampDelayMs,
    });
  }
}

export { NOMINAL_VOLTAGE_V };
