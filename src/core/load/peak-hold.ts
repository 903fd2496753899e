// Peak hold of the building-load estimate: the highest value per resource seen within a window.
// A rise acts at once; a fall is trusted only once it has lasted the window. Noise in the site
// meter therefore cannot make setpoints move up and down with every reading.

/** Highest sample per resource within the last `windowMs`. */
export class PeakHold {
  private samples: Array<{ atMs: number; values: number[] }> = [];

  constructor(private readonly windowMs: number) {}

  /** Add the sample taken at `atMs` (a repeat of the latest time replaces it) and return the held values at `nowMs`. */
  update(atMs: number, values: number[], nowMs: number): number[] {
    const last = this.samples[this.samples.length - 1];
    if (last && last.atMs === atMs) last.values = values;
    else this.samples.push({ atMs, values });
    while (this.samples.length > 1 && nowMs - this.samples[0].atMs > this.windowMs) this.samples.shift();
    const held = values.slice();
    for (const s of this.samples) {
      if (nowMs - s.atMs > this.windowMs || s.values.length !== held.length) continue;
      for (let r = 0; r < held.length; r++) held[r] = Math.max(held[r], s.values[r]);
    }
    return held;
  }
}
