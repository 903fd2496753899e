// Calendar buckets in local time: day "YYYY-MM-DD", ISO week "YYYY-Www", month "YYYY-MM".
import { offsetAt } from '../tariff/localtime';
import type { RollupPeriod } from './model';

const DAY_MS = 86_400_000;

function ymd(localMs: number): [number, number, number] {
  const d = new Date(localMs);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** ISO 8601 week of a local calendar date: [isoYear, week]. */
function isoWeek(y: number, m: number, d: number): [number, number] {
  const t = Date.UTC(y, m - 1, d);
  const dow = (new Date(t).getUTCDay() + 6) % 7; // Monday 0
  const thursday = t + (3 - dow) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return [year, week];
}

/** The bucket containing an instant, in local time of `tz`. */
export function bucketOf(utcMs: number, period: RollupPeriod, tz: string): string {
  return bucketOfLocal(utcMs + offsetAt(tz, utcMs), period);
}

/** The bucket containing a local wall-clock time (ms since the epoch as if local were UTC). */
export function bucketOfLocal(localMs: number, period: RollupPeriod): string {
  const [y, m, d] = ymd(localMs);
  if (period === 'day') return `${y}-${pad(m)}-${pad(d)}`;
  if (period === 'month') return `${y}-${pad(m)}`;
  const [wy, w] = isoWeek(y, m, d);
  return `${wy}-W${pad(w)}`;
}

/** Local midnight of a calendar date as a UTC instant (DST-aware). */
function localMidnight(y: number, m: number, d: number, tz: string): number {
  const wall = Date.UTC(y, m - 1, d);
  const guess = wall - offsetAt(tz, wall);
  return wall - offsetAt(tz, guess);
}

/** First local calendar date of a bucket as [y, m, d], and the first date after it. */
function bucketDates(bucket: string, period: RollupPeriod): [[number, number, number], [number, number, number]] {
  if (period === 'day') {
    const [y, m, d] = bucket.split('-').map(Number);
    return [[y, m, d], ymd(Date.UTC(y, m - 1, d) + DAY_MS)];
  }
  if (period === 'month') {
    const [y, m] = bucket.split('-').map(Number);
    return [[y, m, 1], m === 12 ? [y + 1, 1, 1] : [y, m + 1, 1]];
  }
  const [wy, w] = bucket.split('-W').map(Number);
  const jan4 = Date.UTC(wy, 0, 4);
  const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS + (w - 1) * 7 * DAY_MS;
  return [ymd(monday), ymd(monday + 7 * DAY_MS)];
}

/** [startMs, endMs) of a bucket in UTC; a DST day lasts 23 or 25 hours. */
export function bucketRange(bucket: string, period: RollupPeriod, tz: string): [number, number] {
  const [a, b] = bucketDates(bucket, period);
  return [localMidnight(...a, tz), localMidnight(...b, tz)];
}

/** The bucket just before this one. */
export function previousBucket(bucket: string, period: RollupPeriod, tz: string): string {
  const [start] = bucketRange(bucket, period, tz);
  return bucketOf(start - 1, period, tz);
}
