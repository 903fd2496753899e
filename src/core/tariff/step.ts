// OCPI step_size: billed volume rounded up once per session per dimension group.
//
// Chosen rule for the spec's contradiction on time rounding (see docs in sell.ts header and
// test/core/tariff/ocpi-examples.test.ts): TIME and PARKING_TIME are rounded once per
// session, on the *last* time dimension billed, and on that dimension's own total. A session
// that ends parking rounds only its parking time; charging time is then not rounded. This is
// the CDR module's normative text ("step_size is only taken into account for the total
// parking duration"), its 21 + 16 → 21 + 20 minutes example, and the complex tariff
// example's Saturday session (71 → 75 parking minutes). The step_size tariff example 14
// instead rounds the combined session time; we do not follow it there.

/** A bucket of measured volume for one price component (mWh for energy, ms for time). */
export interface VolumeBucket {
  type: 'ENERGY' | 'TIME' | 'PARKING_TIME';
  measured: number;
  billed: number;
  stepSize: number;
  /** Order of the slice that last fed this bucket (later = higher). */
  lastSeen: number;
}

const UNIT = { ENERGY: 1000, TIME: 1000, PARKING_TIME: 1000 } as const;

function roundUpGroup(buckets: VolumeBucket[]): void {
  if (buckets.length === 0) return;
  const last = buckets.reduce((a, b) => (b.lastSeen > a.lastSeen ? b : a));
  const total = buckets.reduce((s, b) => s + b.measured, 0);
  const step = Math.max(1, last.stepSize) * UNIT[last.type];
  const rounded = Math.ceil(total / step) * step;
  last.billed += rounded - total;
}

/** Apply step_size rounding in place: energy once; time once, on the last time dimension. */
export function applyStepSize(buckets: VolumeBucket[]): void {
  for (const b of buckets) b.billed = b.measured;
  roundUpGroup(buckets.filter((b) => b.type === 'ENERGY' && b.measured > 0));
  const time = buckets.filter((b) => (b.type === 'TIME' || b.type === 'PARKING_TIME') && b.measured > 0);
  if (time.length === 0) return;
  const lastType = time.reduce((a, b) => (b.lastSeen > a.lastSeen ? b : a)).type;
  roundUpGroup(time.filter((b) => b.type === lastType));
}
