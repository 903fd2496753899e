// An independent max-min fair-share oracle for the simulation tests: floating point and
// bisection per phase (the allocator under test uses integer progressive filling).

/** One EV's demand. */
export interface OracleDemand {
  id: string;
  /** Site phases it loads, 1..3. */
  phases: number[];
  minA: number;
  maxA: number;
  priority: number;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** Max-min fair currents per id within `capacityA` per phase, priority classes first; all minimums must fit. */
export function fairShare(capacityA: [number, number, number], demands: OracleDemand[]): Record<string, number> {
  const x: Record<string, number> = {};
  const classes = [...new Set(demands.map((d) => d.priority))].sort((a, b) => b - a);
  for (const cls of classes) {
    // Lower classes keep their minimums; higher classes are already fixed.
    const fixedOn = (p: number): number => demands.filter((d) => d.phases.includes(p) && (x[d.id] !== undefined || d.priority < cls)).reduce((s, d) => s + (x[d.id] ?? d.minA), 0);
    let open = demands.filter((d) => d.priority === cls);
    while (open.length) {
      let level = Infinity;
      let bottleneck = 0;
      for (const p of [1, 2, 3]) {
        const users = open.filter((d) => d.phases.includes(p));
        if (!users.length) continue;
        const f = (L: number): number => fixedOn(p) + users.reduce((s, d) => s + clamp(L, d.minA, d.maxA), 0);
        let lo = 0;
        let hi = 1000;
        for (let k = 0; k < 60; k++) {
          const mid = (lo + hi) / 2;
          if (f(mid) <= capacityA[p - 1] + 1e-9) lo = mid;
          else hi = mid;
        }
        if (lo < level) {
          level = lo;
          bottleneck = p;
        }
      }
      const highest = Math.max(...open.map((d) => d.maxA));
      const done = open.filter((d) => d.maxA <= level || level >= highest || d.phases.includes(bottleneck));
      for (const d of done) x[d.id] = clamp(level, d.minA, d.maxA);
      open = open.filter((d) => !done.includes(d));
    }
  }
  return x;
}
