// A log line per interval for refused inputs, with counts, instead of one line per refusal.

/** Collects refusals by kind and writes one summary line at most once per interval. */
export class RefusalLog {
  private counts = new Map<string, { n: number; last: string }>();
  private lastLogMs = -Infinity;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs: number, private readonly write: (text: string) => void, private readonly now: () => number = Date.now) {}

  /** Count one refusal; the first one after a quiet interval is logged at once, the rest summed up later. */
  add(kind: string, reason: string): void {
    const c = this.counts.get(kind) ?? { n: 0, last: reason };
    c.n++;
    c.last = reason;
    this.counts.set(kind, c);
    const wait = this.lastLogMs + this.intervalMs - this.now();
    if (wait <= 0) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), wait);
      this.timer.unref?.();
    }
  }

  /** Write what is pending now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.counts.size === 0) return;
    this.lastLogMs = this.now();
    const parts = [...this.counts].map(([kind, c]) => `${c.n} ${kind} (${c.last})`);
    this.counts.clear();
    this.write(`refused acks, nothing removed: ${parts.join('; ')}`);
  }
}
