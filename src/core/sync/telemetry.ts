// Telemetry snapshot for `<prefix>/<stationId>/telemetry` (QoS 0): the latest power, energy,
// setpoint and health per meter / connector, published at a fixed rate rather than per reading.
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

  /** Take in a meter health change. */
  health(h: MeterHealth): void {
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
    return { v: 1, stationId: this.stationId, time: new Date(nowMs).toISOString(), meters: structuredClone(this.meters), setpoints: structuredClone(this.setpoints), ...(this.ackCounts ? { acks: this.ackCounts() } : {}) };
  }
}
