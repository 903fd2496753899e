// Applying one meter reading to an open session: exact integer energy from register steps.
import { registerStep, type StepBounds } from './registers';
import { addFlag, type OpenSession, type ReadingRef } from './state';

/**
 * Add one accepted reading to the session: the register step (rollover/reset flagged, never negative),
 * power (from the meter, else derived from the step), peaks. The first reading becomes the start reading.
 */
export function applyReading(s: OpenSession, ref: ReadingRef, bounds: StepBounds): void {
  const prev = s.lastReading;
  if (!prev || !s.startReading) {
    s.startReading = ref;
    s.lastReading = ref;
    s.lastReadingMonoValid = true;
    if (ref.powerW !== undefined) s.powerW = ref.powerW;
    return;
  }
  const elapsedMs = s.lastReadingMonoValid ? ref.monoMs - prev.monoMs : ref.timeMs - prev.timeMs;
  const st = registerStep(prev.energyWh, ref.energyWh, elapsedMs, bounds);
  s.energyWh += st.deltaWh;
  if (st.kind === 'rollover') addFlag(s, 'register_rollover');
  if (st.kind === 'reset' || st.kind === 'jump') addFlag(s, `meter_reset:${prev.energyWh}->${ref.energyWh}`);
  const powerW = readingPowerW(s, ref, bounds);
  s.powerW = powerW;
  s.peakPowerW = Math.max(s.peakPowerW, powerW);
  s.period.maxPowerW = Math.max(s.period.maxPowerW, powerW);
  if (ref.maxCurrentA != null) s.period.maxCurrentA = Math.max(s.period.maxCurrentA ?? 0, ref.maxCurrentA);
  s.lastReading = ref;
  s.lastReadingMonoValid = true;
}

/** The power a reading stands for, W: the meter's value, else the average over the register step since the last reading. */
export function readingPowerW(s: OpenSession, ref: ReadingRef, bounds: StepBounds): number {
  if (ref.powerW !== undefined) return ref.powerW;
  const prev = s.lastReading;
  if (!prev || !s.startReading) return s.powerW;
  const elapsedMs = s.lastReadingMonoValid ? ref.monoMs - prev.monoMs : ref.timeMs - prev.timeMs;
  if (elapsedMs <= 0) return s.powerW;
  return Math.round((registerStep(prev.energyWh, ref.energyWh, elapsedMs, bounds).deltaWh * 3_600_000) / elapsedMs);
}
