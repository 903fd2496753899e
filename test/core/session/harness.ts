// A fake-clock harness around ChargerSessions: one simulated meter per connector, explicit time steps.
import { ChargerSessions } from '../../../src/core/session/charger';
import { resolveSessionConfig, type ConnectorConfig, type SessionConfig } from '../../../src/core/session/config';
import { orThrow, parseChargerEvent as parseEvent } from '../../../src/core/contract';
const parseChargerEvent = (p: unknown) => orThrow(parseEvent(p));
import type { MachineOutput } from '../../../src/core/session/machine';
import type { MeterReading, Session } from '../../../src/core/types';

/** 2026-11-25T10:00:00Z: a quarter-hour boundary. */
export const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);

/** Default two-connector charger: 11 kW and 22 kW. */
export const CONNECTORS: ConnectorConfig[] = [
  { connectorId: '1', meterId: 'CP1-1', ratedPowerW: 11000 },
  { connectorId: '2', meterId: 'CP1-2', ratedPowerW: 22000 },
];

/** A charger under test with a fake wall clock and monotonic clock. */
export class Harness {
  wallMs = T0;
  monoMs = 1_000_000;
  ch: ChargerSessions;
  outputs: Array<MachineOutput & { connectorId: string }> = [];
  seq = new Map<string, number>();
  register = new Map<string, number>();
  suffix = 0;
  cfg: SessionConfig;

  constructor(
    cfg: Partial<SessionConfig> = {},
    public bootId = 'boot-A',
    public connectors = CONNECTORS,
    public checkpointIntervalMs = 60_000,
  ) {
    this.cfg = resolveSessionConfig({ stationId: 'ST1', chargerId: 'CP1', ...cfg });
    this.ch = new ChargerSessions(this.cfg, connectors, { bootId, randomSuffix: () => `r${++this.suffix}` }, checkpointIntervalMs);
    for (const c of connectors) this.register.set(c.meterId, 1_000_000);
  }

  /** Move both clocks forward (a wall-clock jump can be added separately). */
  advance(ms: number): void {
    this.wallMs += ms;
    this.monoMs += ms;
  }

  /** Step the wall clock only (an NTP correction). */
  jumpWall(ms: number): void {
    this.wallMs += ms;
  }

  /** A reading from a meter at the current time; `addWh` is added to its register first. */
  makeReading(meterId: string, addWh: number, powerW?: number, over?: Partial<MeterReading>): MeterReading {
    const reg = (this.register.get(meterId) ?? 0) + addWh;
    this.register.set(meterId, reg);
    const seq = (this.seq.get(meterId) ?? 0) + 1;
    this.seq.set(meterId, seq);
    const shown = this.cfg.rolloverModulusWh > 0 ? reg % this.cfg.rolloverModulusWh : reg;
    const r: MeterReading = { meterId, seq, timeMs: this.wallMs, monoMs: this.monoMs, energyImportWh: shown, raw: { '1-0:1.8.0': `${(shown / 1000).toFixed(3).padStart(10, '0')}*kWh` } };
    if (powerW !== undefined) r.powerW = powerW;
    return { ...r, ...over };
  }

  /** Deliver a reading and collect outputs. */
  feed(r: MeterReading): string | null {
    const v = this.ch.handleReading(r.meterId, r);
    this.collect();
    return v;
  }

  /** Make and deliver a reading. */
  reading(meterId: string, addWh: number, powerW?: number, over?: Partial<MeterReading>): string | null {
    return this.feed(this.makeReading(meterId, addWh, powerW, over));
  }

  /** Deliver a charger event payload. */
  event(payload: Record<string, unknown>): void {
    this.ch.handleEvent(parseChargerEvent(payload), { wallMs: this.wallMs, monoMs: this.monoMs });
    this.collect();
  }

  tick(): void {
    this.ch.tick({ wallMs: this.wallMs, monoMs: this.monoMs });
    this.collect();
  }

  /**
   * Charge for `seconds` at `powerW` on one meter with a reading every `stepS` seconds; energy per step is
   * exact integer Wh with the remainder carried, so the register advances by exactly powerW × seconds / 3600.
   */
  charge(meterId: string, powerW: number, seconds: number, stepS = 1): void {
    let carryWhx3600 = 0;
    for (let t = 0; t < seconds; t += stepS) {
      this.advance(stepS * 1000);
      carryWhx3600 += powerW * stepS;
      const wh = Math.floor(carryWhx3600 / 3600);
      carryWhx3600 -= wh * 3600;
      this.reading(meterId, wh, powerW);
    }
  }

  finished(): Session[] {
    return this.outputs.filter((o) => o.type === 'finished').map((o) => o.session as Session);
  }

  /** JSON round trip of every checkpoint due now, as the store would keep them. */
  checkpoints(): Array<{ sessionId: string; state: unknown }> {
    return this.ch.allOpenCheckpoints(this.wallMs).map((c) => ({ sessionId: c.sessionId, state: JSON.parse(JSON.stringify(c.state)) }));
  }

  private collect(): void {
    this.outputs.push(...this.ch.drain());
  }
}
