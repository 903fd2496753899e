// The backend's `config/limits` payload (schemas/limits-config.schema.json): site limits and a
// schedule of limits. The editor's limit is the physical one (the main fuse), so the backend can
// only lower it: the effective limit is the smallest of the editor's limit, the payload's base
// limits and every schedule entry active at the time.

import type { SiteLimit } from './types';

/** The limits-config format version this code reads. */
export const LIMITS_CONFIG_VERSION = 1;

/** Limit values: per-phase current (one number = every phase), and/or total power. */
export interface LimitValues {
  maxCurrentA?: number | [number, number, number];
  maxPowerW?: number;
}

/** A recurring local-time window. */
export interface DailyWindow {
  /** "HH:MM", local time; a window with from > to runs past midnight. */
  from: string;
  to: string;
  /** Days the window starts on (default every day). */
  days?: Array<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'>;
  /** IANA time zone, default "UTC". */
  timeZone?: string;
}

/** One schedule entry: a fixed interval (start..end, ISO 8601) or a daily window. */
export interface ScheduleEntry extends LimitValues {
  start?: string;
  end?: string;
  daily?: DailyWindow;
}

/** The `config/limits` payload. */
export interface LimitsConfig {
  version: number;
  issuedAt?: string;
  site?: LimitValues;
  schedule?: ScheduleEntry[];
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Largest site limits a config may set: far above any grid connection, small enough to compute with. */
export const LIMIT_BOUNDS = { currentA: 100_000, powerW: 1_000_000_000 } as const;

function checkValues(v: LimitValues, where: string): void {
  const c = v.maxCurrentA;
  if (c !== undefined) {
    const list = Array.isArray(c) ? c : [c];
    if ((Array.isArray(c) && c.length !== 3) || !list.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= LIMIT_BOUNDS.currentA)) {
      throw new Error(`${where}.maxCurrentA must be a number from 0 to ${LIMIT_BOUNDS.currentA} or three of them`);
    }
  }
  if (v.maxPowerW !== undefined && !(typeof v.maxPowerW === 'number' && Number.isFinite(v.maxPowerW) && v.maxPowerW >= 0 && v.maxPowerW <= LIMIT_BOUNDS.powerW)) {
    throw new Error(`${where}.maxPowerW must be a number from 0 to ${LIMIT_BOUNDS.powerW}`);
  }
}

/** Check a `config/limits` payload; throws an Error naming the first problem. */
export function parseLimitsConfig(payload: unknown): LimitsConfig {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new Error('limits config must be an object');
  const p = payload as LimitsConfig;
  if (p.version !== LIMITS_CONFIG_VERSION) throw new Error(`limits config version ${String(p.version)} is not supported (expected ${LIMITS_CONFIG_VERSION})`);
  if (p.site !== undefined) checkValues(p.site, 'site');
  if (p.schedule !== undefined && !Array.isArray(p.schedule)) throw new Error('schedule must be an array');
  (p.schedule ?? []).forEach((e, i) => {
    const where = `schedule[${i}]`;
    checkValues(e, where);
    if (e.maxCurrentA === undefined && e.maxPowerW === undefined) throw new Error(`${where} sets no limit`);
    if (e.daily) {
      if (e.start !== undefined || e.end !== undefined) throw new Error(`${where} has both daily and start/end`);
      if (!HHMM.test(e.daily.from) || !HHMM.test(e.daily.to)) throw new Error(`${where}.daily from/to must be HH:MM`);
      if (e.daily.days && !e.daily.days.every((d) => (DAYS as readonly string[]).includes(d))) throw new Error(`${where}.daily.days has an unknown day`);
      localClock(0, e.daily.timeZone ?? 'UTC');
    } else {
      const s = Date.parse(e.start ?? '');
      const t = Date.parse(e.end ?? '');
      if (Number.isNaN(s) || Number.isNaN(t) || t <= s) throw new Error(`${where} needs start < end (ISO 8601) or daily`);
    }
  });
  return p;
}

const clocks = new Map<string, Intl.DateTimeFormat>();

/** Local weekday (0 = Sunday) and minute of day at wall-clock `ms` in `timeZone`. */
function localClock(ms: number, timeZone: string): { day: number; minute: number } {
  let f = clocks.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      throw new Error(`unknown time zone ${timeZone}`);
    }
    clocks.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { day: DAYS.indexOf(parts.weekday.toLowerCase().slice(0, 3) as (typeof DAYS)[number]), minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

function minuteOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Whether a schedule entry applies at wall-clock `ms`. */
export function entryActive(e: ScheduleEntry, ms: number): boolean {
  if (!e.daily) return Date.parse(e.start ?? '') <= ms && ms < Date.parse(e.end ?? '');
  const { day, minute } = localClock(ms, e.daily.timeZone ?? 'UTC');
  const from = minuteOf(e.daily.from);
  const to = minuteOf(e.daily.to);
  const dayOk = (d: number): boolean => !e.daily?.days || e.daily.days.includes(DAYS[(d + 7) % 7]);
  if (from <= to) return minute >= from && minute < to && dayOk(day);
  // Past midnight: the part after midnight belongs to the window that started the day before.
  return (minute >= from && dayOk(day)) || (minute < to && dayOk(day - 1));
}

function lower(limit: SiteLimit, v: LimitValues): SiteLimit {
  const c = v.maxCurrentA;
  const per = c === undefined ? undefined : Array.isArray(c) ? c : [c, c, c];
  return {
    maxCurrentA: per ? [Math.min(limit.maxCurrentA[0], per[0]), Math.min(limit.maxCurrentA[1], per[1]), Math.min(limit.maxCurrentA[2], per[2])] : limit.maxCurrentA,
    maxPowerW: v.maxPowerW === undefined ? limit.maxPowerW : Math.min(limit.maxPowerW ?? Infinity, v.maxPowerW),
  };
}

/** The limit in force at wall-clock `ms`: the hard limit lowered by the backend's config. */
export function effectiveLimit(hard: SiteLimit, cfg: LimitsConfig | undefined, ms: number): SiteLimit {
  if (!cfg) return hard;
  let limit = cfg.site ? lower(hard, cfg.site) : hard;
  for (const e of cfg.schedule ?? []) if (entryActive(e, ms)) limit = lower(limit, e);
  return limit;
}
