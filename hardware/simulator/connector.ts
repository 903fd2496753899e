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
  private phaseSinceMs: number;
  private setpoint: HeldSetpoint;
  private visits = 0;

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
        if (inPhase >= this.cfg.arrivalGapMs) {
          this.ev = this.newEv();
          go('plugged');
          emit('plug');
        }
        break;
      case 'plugged':
        if (inPhase >= STEP_MS.authorize) {
          go('authorized');
          emit('authorize', { idTag: `RFID${String(1000 + Math.floor(this.random() * 9000))}` });
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
