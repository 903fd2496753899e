// Publishes the telemetry snapshot QoS 0 at a fixed rate while connected; nothing is queued offline.
import { TelemetrySnapshot } from '../../core/sync/telemetry';

/** What the publisher needs of the connection. */
export interface TelemetryLink {
  readonly connected: boolean;
  readonly topics: { telemetry: string };
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain?: boolean }): Promise<void>;
}

/** Owns a TelemetrySnapshot and publishes it every `intervalS` seconds when it changed. */
export class TelemetryPublisher {
  readonly snapshot: TelemetrySnapshot;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly link: TelemetryLink, stationId: string, private readonly intervalS: number) {
    this.snapshot = new TelemetrySnapshot(stationId);
  }

  /** Start publishing (no-op when the interval is 0: telemetry off). */
  start(): void {
    if (this.timer || !(this.intervalS > 0)) return;
    this.timer = setInterval(() => this.publishNow(), this.intervalS * 1000);
    this.timer.unref?.();
  }

  /** Publish the snapshot now if connected and changed; true when published. */
  publishNow(): boolean {
    if (!this.link.connected || !this.snapshot.changed) return false;
    this.link.publish(this.link.topics.telemetry, JSON.stringify(this.snapshot.take(Date.now())), { qos: 0 }).catch(() => undefined);
    return true;
  }

  /** Stop publishing. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
