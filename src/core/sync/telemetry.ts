// Telemetry snapshot for `<prefix>/<stationId>/telemetry` (QoS 0): the latest power, energy,
// setpoint and health per meter / connector, published at a fixed rate rather than per reading.
import { isPortHealth } from '../health/health-set';
import type { MeterHealth, MeterReading } from '../types';

/** Latest values of one meter. */
export interface MeterTelemetry {
  powerW?: number;
  energyImportWh?: number;
  currentA?: (number | null)[];
  /** Wall-clock ms of the reading. */
  timeMs: number;
  health?: MeterHealth['state'];
}

/** A meter port with a problem while no meter on it is known (e.g. only garbage from a wrong baud rate). */
export interface PortTelemetry {
  health: Exclude<MeterHealth['state'], 'ok'>;
  /** Rejections and errors counted by reason. */
  errors: Record<string, number>;
  /** Wall-clock ms when this state began. */
  sinceMs: number;
}

/** Latest setpoint of one connector. */
export interface SetpointTelemetry {
  currentA: number;
  phases?: number;
  boundBy?: string;
}

/** One telemetry message (schemas/telemetry.schema.json). */
export interface TelemetryMessage {
  v: 1;
  stationId: string;
  /** ISO 8601 UTC time of the snapshot. */
  time: string;
  meters: Record<string, MeterTelemetry>;
  setpoints: Record<string, SetpointTelemetry>;
  /** Meter ports with a problem, keyed by port address; absent when none has one. Never meters. */
  ports?: Record<string, PortTelemetry>;
  /** Ack messages accepted and refused (by reason) since start: refusals mean a forged, foreign or replayed ack, or a flood. */
  acks?: AckTelemetry;
}

/** Ack counters of the station's trust check. */
export interface AckTelemetry {
  accepted: number;
  refused: Record<string, number>;
}

/** Collects the latest values between publications. */
export class TelemetrySnapshot {
  private meters: Record<string, MeterTelemetry> = {};
  private setpoints: Record<string, SetpointTelemetry> = {};
  private ports: Record<string, PortTelemetry> = {};
  private dirty = false;
  private ackCounts: (() => AckTelemetry) | null = null;

  constructor(private readonly stationId: string) {}

  /** Take in a meter reading. */
  reading(r: MeterReading): void {
    const m = (this.meters[r.meterId] ??= { timeMs: r.timeMs });
    m.timeMs = r.timeMs;
    if (r.powerW !== undefined) m.powerW = r.powerW;
    if (r.energyImportWh !== undefined) m.energyImportWh = r.energyImportWh;
    if (r.currentA !== undefined) m.currentA = r.currentA;
    this.dirty = true;
  }

  /** Take in a meter health change; a port's health (PortHealth) goes to `ports`, never `meters`. */
  health(h: MeterHealth): void {
    this.dirty = true;
    if (isPortHealth(h)) {
      // Why only problems: once a meter appears the port says "ok" and its meters speak for it.
      if (h.state === 'ok') delete this.ports[h.port];
      else this.ports[h.port] = { health: h.state, errors: { ...h.errors }, sinceMs: h.sinceMs };
      return;
    }
    const m = (this.meters[h.meterId] ??= { timeMs: h.sinceMs });
    m.health = h.state;
    this.dirty = true;
  }

  /** Take in a connector setpoint. */
  setpoint(connectorId: string, s: SetpointTelemetry): void {
    this.setpoints[connectorId] = { currentA: s.currentA, ...(s.phases !== undefined ? { phases: s.phases } : {}), ...(s.boundBy !== undefined ? { boundBy: s.boundBy } : {}) };
    this.dirty = true;
  }

  /** Where the ack counters come from (read at every take). */
  acks(provider: () => AckTelemetry): void {
    this.ackCounts = provider;
  }

  /** Something read by a provider (the ack counters) changed: publish at the next tick. */
  touch(): void {
    this.dirty = true;
  }

  /** Whether anything changed since the last take(). */
  get changed(): boolean {
    return this.dirty;
  }

  /** The snapshot to publish now; clears the changed flag. */
  take(nowMs: number): TelemetryMessage {
    this.dirty = false;
    const msg: TelemetryMessage = { v: 1, stationId: this.stationId, time: new Date(nowMs).toISOString(), meters: structuredClone(this.meters), setpoints: structuredClone(this.setpoints) };
    if (Object.keys(this.ports).length) msg.ports = structuredClone(this.ports);
    if (this.ackCounts) msg.acks = this.ackCounts();
    return msg;
  }
}
