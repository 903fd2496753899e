// Classifying one step of a cumulative energy register: normal, rollover, or a reset/replacement.

/** How a register step was interpreted. */
export type RegisterStepKind = 'normal' | 'rollover' | 'reset' | 'jump';

/** The energy a step contributes to a session (integer Wh, never negative) and how it was read. */
export interface RegisterStep {
  deltaWh: number;
  kind: RegisterStepKind;
}

/** Bounds for judging a step; ratedPowerW × elapsed time (+ tolerance) is the most a connector can deliver. */
export interface StepBounds {
  ratedPowerW: number;
  tolerancePct: number;
  toleranceWh: number;
  /** 0 = the register never wraps. */
  rolloverModulusWh: number;
}

/** The most energy the connector can plausibly deliver in `elapsedMs`, Wh (a bound, not an accumulated value). */
export function maxEnergyWh(elapsedMs: number, b: StepBounds): number {
  const ms = Math.max(0, elapsedMs);
  return Math.ceil((b.ratedPowerW * ms * (100 + b.tolerancePct)) / (3_600_000 * 100)) + b.toleranceWh;
}

/**
 * Interpret the step prevWh → nextWh over `elapsedMs`.
 * A drop is a rollover when the register has a modulus and the wrapped step is plausible; otherwise
 * the meter was reset or replaced. A rise beyond what the connector can deliver is a replacement by a
 * meter with a higher register. Neither is counted as energy: the session never goes negative and never
 * swallows a lifetime register; the caller flags the session.
 */
export function registerStep(prevWh: number, nextWh: number, elapsedMs: number, b: StepBounds): RegisterStep {
  const delta = nextWh - prevWh;
  const bound = maxEnergyWh(elapsedMs, b);
  if (delta >= 0) return delta <= bound ? { deltaWh: delta, kind: 'normal' } : { deltaWh: 0, kind: 'jump' };
  if (b.rolloverModulusWh > 0 && prevWh < b.rolloverModulusWh && nextWh < b.rolloverModulusWh) {
    const wrapped = nextWh + b.rolloverModulusWh - prevWh;
    if (wrapped <= bound) return { deltaWh: wrapped, kind: 'rollover' };
  }
  return { deltaWh: 0, kind: 'reset' };
}
