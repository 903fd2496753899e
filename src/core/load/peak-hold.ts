// Peak hold of the building-load estimate: the highest value per resource seen within a window.
// A rise acts at once; a fall is trusted only once it has lasted the window. Noise in the site
// meter therefore cannot make setpoints move up and down with every reading.

type Sample = { atMs: number; values: number[] };

/** Whether `b` can never again change the held maximum while `a` is held: not newer, nowhere higher. */
function dominated(b: Sample, a: Sample): boolean {
  if (b.atMs > a.atMs || b.values.length !== a.values.length) return false;
  for (let r = 0; r < a.values.length; r++) if (b.values[r] > a.values[r]) return false;
  return true;
}

/** Highest sample per resource within the last `windowMs`. */
export class PeakHold {
  private samples: Sample[] = [];

  constructor(private readonly windowMs: number) {}

  /** Add the sample taken at `atMs` (a repeat of the latest time replaces it) and return the held values at `nowMs`. */
  update(atMs: number, values: number[], nowMs: number): number[] {
    const last = this.samples[this.samples.length - 1];
    if (last && last.atMs === atMs) last.values = values;
    else {
      // Why prune: at a fast meter the window holds hundreds of samples, scanned per decision.
      // A sample no newer and nowhere higher than the previous latest one (final now: only the
      // latest can be replaced) cannot affect the result, so it goes; the held values are the same.
      if (last) {
        let kept = 0;
        for (const s of this.samples) if (s === last || !dominated(s, last)) this.samples[kept++] = s;
        this.samples.length = kept;
      }
      this.samples.push({ atMs, values });
    }
    while (this.samples.length > 1 && nowMs - this.samples[0].atMs > this.windowMs) this.samples.shift();
    const held = values.slice();
    for (const s of this.samples) {
      if (nowMs - s.atMs > this.windowMs || s.values.length !== held.length) continue;
      for (let r = 0; r < held.length; r++) held[r] = Math.max(held[r], s.values[r]);
    }
    return held;
  }
}
