// Local wall-clock time in an IANA time zone via Intl (pure, DST-correct).
// Why segments: between DST transitions the UTC offset is constant, so we find the
// transitions inside a session once and then convert with plain arithmetic.

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Sampling step when looking for DST transitions; no zone changes offset twice within it. */
const PROBE_MS = 6 * 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(tz, f);
  }
  return f;
}

/** UTC offset of the zone at an instant, ms (local = utc + offset). */
export function offsetAt(tz: string, utcMs: number): number {
  if (tz === 'UTC' || tz === 'Etc/UTC') return 0;
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(utcMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const local = Date.UTC(p.year, p.month - 1, p.day, p.hour === 24 ? 0 : p.hour, p.minute, p.second);
  return local - Math.floor(utcMs / 1000) * 1000;
}

/** A stretch of time [fromMs, toMs) with a constant UTC offset. */
interface Segment {
  fromMs: number;
  toMs: number;
  offsetMs: number;
}

/** Local date and time of an instant, read in one zone. */
export interface LocalTime {
  /** "YYYY-MM-DD" */
  date: string;
  /** Minutes since local midnight. */
  minuteOfDay: number;
  /** 0 = Monday … 6 = Sunday. */
  dayIndex: number;
  month: number;
  day: number;
}

/** Converts instants within a window to local time; built once per session. */
export class LocalClock {
  private readonly segments: Segment[] = [];

  constructor(readonly tz: string, readonly fromMs: number, readonly toMs: number) {
    let start = fromMs;
    let off = offsetAt(tz, fromMs);
    for (let probe = fromMs + PROBE_MS; ; probe += PROBE_MS) {
      const at = Math.min(probe, toMs);
      const o = at > start ? offsetAt(tz, at) : off;
      if (o !== off) {
        // Transitions happen on whole minutes: binary-search the first minute with the new offset.
        let lo = Math.floor(start / MINUTE_MS);
        let hi = Math.ceil(at / MINUTE_MS);
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (offsetAt(tz, mid * MINUTE_MS) === off) lo = mid;
          else hi = mid;
        }
        const t = Math.max(hi * MINUTE_MS, start + 1);
        this.segments.push({ fromMs: start, toMs: t, offsetMs: off });
        start = t;
        off = offsetAt(tz, t);
        probe = t;
        continue;
      }
      if (at >= toMs) break;
    }
    this.segments.push({ fromMs: start, toMs: Math.max(toMs, start) + 1, offsetMs: off });
  }

  /** Offset at an instant inside the window (edges extend the nearest segment). */
  offset(utcMs: number): number {
    for (const s of this.segments) if (utcMs < s.toMs) return s.offsetMs;
    return this.segments[this.segments.length - 1].offsetMs;
  }

  /** Local calendar fields of an instant. */
  local(utcMs: number): LocalTime {
    const localMs = utcMs + this.offset(utcMs);
    const d = new Date(localMs);
    const dayIndex = (d.getUTCDay() + 6) % 7;
    const minuteOfDay = Math.floor((((localMs % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
    return { date: d.toISOString().slice(0, 10), minuteOfDay, dayIndex, month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  }

  /**
   * Instants strictly inside (fromMs, toMs) where the local time of day equals one of
   * `minutesOfDay` (0 = local midnight), plus every offset change. Local times skipped by a
   * spring-forward gap do not occur; the transition instant stands in for them.
   */
  boundaries(minutesOfDay: number[], fromMs = this.fromMs, toMs = this.toMs): number[] {
    const out: number[] = [];
    this.segments.forEach((s, i) => {
      if (i > 0 && s.fromMs > fromMs && s.fromMs < toMs) out.push(s.fromMs);
      const a = Math.max(s.fromMs, fromMs);
      const b = Math.min(s.toMs, toMs);
      if (a >= b) return;
      for (let day = Math.floor((a + s.offsetMs) / DAY_MS); day * DAY_MS - s.offsetMs < b; day++) {
        for (const m of minutesOfDay) {
          const u = day * DAY_MS + m * MINUTE_MS - s.offsetMs;
          if (u > fromMs && u < toMs && u >= s.fromMs && u < s.toMs) out.push(u);
        }
      }
    });
    return [...new Set(out)].sort((x, y) => x - y);
  }
}

/** Parse "HH:MM" to minutes since midnight. */
export function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/**
 * Whether a local minute of day lies in [start, end): end exclusive, a missing start means
 * midnight, a missing end or "00:00" means end of day, end < start wraps past midnight.
 */
export function inTimeWindow(minuteOfDay: number, start?: string, end?: string): boolean {
  const s = start === undefined ? 0 : minutesOf(start);
  const eRaw = end === undefined ? 0 : minutesOf(end);
  const e = eRaw === 0 ? 1440 : eRaw;
  if (s === e) return true;
  return s < e ? minuteOfDay >= s && minuteOfDay < e : minuteOfDay >= s || minuteOfDay < e;
}
