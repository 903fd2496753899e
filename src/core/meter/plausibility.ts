// Per-meter plausibility: energy registers never go backwards, and never rise faster than the
// rated power allows. Checked per meter id, so several meters can share one bus.
import type { RejectReason } from './events';

/** Tuning of the impossible-jump check. */
export interface PlausibilityOptions {
  /** Rated power in W; without it the jump check is off. */
  ratedPowerW?: number;
  /** Allowance for arrival jitter and register update lag, ms (default 5000). */
  slackMs?: number;
  /** Headroom factor over the rated power (default 1.25). */
  factor?: number;
}

/** One candidate reading's energy registers and timing. */
export interface PlausibilityInput {
  importWh?: number;
  exportWh?: number;
  /** Wh per last digit of each register, added to the allowance. */
  resolutionWh: { import: number; export: number };
  /** Elapsed-time basis: controller monotonic ms, or the meter's own time in ms when that is the basis. */
  elapsedMs?: number;
}

interface MeterState {
  seq: number;
  importWh?: number;
  exportWh?: number;
  atMs?: number;
}

/** Tracks the last accepted registers and the sequence number of each meter. */
export class Plausibility {
  private readonly meters = new Map<string, MeterState>();

  constructor(private readonly opts: PlausibilityOptions) {}

  /** The largest energy rise the rated power allows over `dtMs`, Wh (Infinity without a rating). */
  allowanceWh(dtMs: number, resolutionWh: number): number {
    const p = this.opts.ratedPowerW;
    if (!p) return Infinity;
    const ms = Math.max(0, dtMs) + (this.opts.slackMs ?? 5000);
    return Math.ceil((p * (this.opts.factor ?? 1.25) * ms) / 3_600_000) + resolutionWh;
  }

  /** Check a candidate; null if plausible, else the rejection. Does not change state. */
  check(meterId: string, c: PlausibilityInput): { reason: RejectReason; detail: string } | null {
    const s = this.meters.get(meterId);
    if (!s) return null;
    const dt = c.elapsedMs !== undefined && s.atMs !== undefined ? c.elapsedMs - s.atMs : undefined;
    for (const [name, now, last, res] of [
      ['import', c.importWh, s.importWh, c.resolutionWh.import],
      ['export', c.exportWh, s.exportWh, c.resolutionWh.export],
    ] as const) {
      if (now === undefined || last === undefined) continue;
      if (now < last) return { reason: 'register_backwards', detail: `${name} register went from ${last} Wh to ${now} Wh` };
      if (dt === undefined) continue;
      const allowed = this.allowanceWh(dt, res);
      if (now - last > allowed) {
        return { reason: 'impossible_jump', detail: `${name} register rose ${now - last} Wh in ${Math.round(dt)} ms; rated power allows at most ${allowed} Wh` };
      }
    }
    return null;
  }

  /** Record an accepted reading and return its sequence number (per meter, from 1). */
  commit(meterId: string, c: PlausibilityInput): number {
    const s = this.meters.get(meterId) ?? { seq: 0 };
    s.seq += 1;
    if (c.importWh !== undefined) s.importWh = c.importWh;
    if (c.exportWh !== undefined) s.exportWh = c.exportWh;
    if (c.elapsedMs !== undefined) s.atMs = c.elapsedMs;
    this.meters.set(meterId, s);
    return s.seq;
  }

  /** Forget the register baselines of one meter (or all), e.g. after a confirmed meter exchange; seq continues. */
  resetBaseline(meterId?: string): void {
    for (const [id, s] of this.meters) {
      if (meterId === undefined || id === meterId) this.meters.set(id, { seq: s.seq });
    }
  }
}
