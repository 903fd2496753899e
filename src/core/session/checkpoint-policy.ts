// When to write a checkpoint: at every state change, and while charging at a bounded interval.
//
// Bytes written per charging hour (measured by test/core/session/checkpoint-policy.test.ts: a 1-hour,
// 11 kW session with 1-s readings, the default 60-s interval and 15-min periods): 60 checkpoints of
// ~1.0–1.4 kB (the state grows by one ~190-byte period every 15 minutes) = about 68 kB of JSON values
// per charging hour, plus one checkpoint per state change (a handful per session). A 300-s interval
// writes about 13 kB per hour (bench/sessions.js measures both). LevelDB's log and compaction add their own overhead on top.

/** Default interval between checkpoints while charging, ms (energy keeps changing; the register is cumulative, so a longer interval loses no energy, only duration/period detail). */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000;

/** Input of the checkpoint decision for one connector. */
export interface CheckpointDecision {
  /** A state change happened since the last save (open, phase/state change, flag, idTag). */
  dirty: boolean;
  /** The open session is in state 'charging' (only then does its energy move). */
  charging: boolean;
  /** Monotonic ms of the last save of this session, null if never saved. */
  lastSavedMonoMs: number | null;
  nowMonoMs: number;
  intervalMs: number;
}

/** Whether to checkpoint now: on any state change; otherwise while charging, once per interval. */
export function shouldCheckpoint(d: CheckpointDecision): boolean {
  if (d.dirty) return true;
  if (!d.charging) return false;
  if (d.lastSavedMonoMs === null) return true;
  return d.nowMonoMs - d.lastSavedMonoMs >= d.intervalMs;
}
