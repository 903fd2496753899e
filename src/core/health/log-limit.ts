// Rate limit for repeated log lines (a port's noise, a failing poll): the first line of a kind
// goes out at once, the rest of its window is counted, and the count is told once the window is
// over, so a stream of noise costs one log line per window instead of one per chunk.

/** Held-back occurrences of one kind within its current window. */
interface Window {
  startMs: number;
  suppressed: number;
  lastLine: string;
}

/** At most one log line per key and interval; clocks are passed in (monotonic ms). */
export class LogLimiter {
  private readonly windows = new Map<string, Window>();

  /** `intervalMs`: the window length (> 0), ms. */
  constructor(readonly intervalMs: number) {
    if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);
  }

  /** One occurrence of `key` at `nowMs`: the line to log now, or null while its window is open. */
  offer(key: string, line: string, nowMs: number): string | null {
    const w = this.windows.get(key);
    if (w && nowMs - w.startMs < this.intervalMs) {
      w.suppressed++;
      w.lastLine = line;
      return null;
    }
    const held = w?.suppressed ?? 0;
    this.windows.set(key, { startMs: nowMs, suppressed: 0, lastLine: line });
    return held > 0 ? `${line} (and ${held} more like it before)` : line;
  }

  /** Windows over at `nowMs` that held lines back: one summary line each, which opens a new window. */
  flush(nowMs: number): string[] {
    const out: string[] = [];
    for (const [key, w] of this.windows) {
      if (nowMs - w.startMs < this.intervalMs) continue;
      if (w.suppressed === 0) {
        this.windows.delete(key);
        continue;
      }
      out.push(`${w.lastLine} (${w.suppressed} more like it in the last ${Math.round((nowMs - w.startMs) / 1000)} s)`);
      this.windows.set(key, { startMs: nowMs, suppressed: 0, lastLine: w.lastLine });
    }
    return out;
  }

  /** Ms until flush() may have a summary (<= 0: now), or null when nothing is held back. */
  nextFlushInMs(nowMs: number): number | null {
    let next: number | null = null;
    for (const w of this.windows.values()) {
      if (w.suppressed === 0) continue;
      const due = w.startMs + this.intervalMs - nowMs;
      if (next === null || due < next) next = due;
    }
    return next;
  }
}
