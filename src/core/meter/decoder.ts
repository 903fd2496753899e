// The streaming meter decoder: lines in (as @serialport/parser-readline delivers them with
// delimiter '\n'), readings and counted rejections out. Pure: the caller passes the clock.
import type { MeterReading } from '../types';
import { extractMbus } from './dsmr';
import type { DecodeEvent, LineClock, ParsedTelegram, RejectEvent, RejectReason } from './events';
import { REJECT_REASONS } from './events';
import type { FrameOut, FramedTelegram, Framer } from './framer';
import { TelegramFramer } from './framer';
import { compilePatterns, LinesFramer } from './lines';
import { FieldMapper } from './mapping';
import { Plausibility } from './plausibility';
import type { MeterProfile } from './profile';
import { interpretLines, isProblem, type TelegramValues } from './values';

export type { DecodeEvent, LineClock, ParsedTelegram, ParsedValue, ReadingEvent, RejectEvent, RejectReason, ChecksumStatus } from './events';
export { REJECT_REASONS } from './events';

/** Options of a decoder instance. */
export interface DecoderOptions {
  /** Meter id to use when the telegram carries none (or the profile names no id register). */
  meterId?: string;
  /** Rated power for the impossible-jump check, W; overrides the profile's ratedPowerW. */
  ratedPowerW?: number;
  /**
   * Time basis of the jump check: 'mono' (default) uses the monoMs of the completing line;
   * 'meterTime' uses the meter's own timestamps (for captured files, where arrival time means
   * nothing) and skips the check for telegrams without one.
   */
  elapsedFrom?: 'mono' | 'meterTime';
  /** Allowance for arrival jitter in the jump check, ms (default 5000). */
  jumpSlackMs?: number;
}

/** A streaming decoder for one byte stream (one port; possibly several meters on it). */
export interface MeterDecoder {
  /** Feed one line ('\n' stripped, '\r' kept); returns the readings and rejections it completed. */
  push(line: string, clock: LineClock): DecodeEvent[];
  /** The input ended (file end, port closed): reports a telegram left open as truncated. */
  end(): DecodeEvent[];
  /** Rejections so far by reason (every reason present, zero-filled). */
  counters(): Record<RejectReason, number>;
  /** Forget register baselines (one meter or all), e.g. after a confirmed meter exchange. */
  resetBaseline(meterId?: string): void;
  readonly profile: MeterProfile;
}

/** Meter time "2017-01-02T19:20:02+01:00" → epoch ms, or undefined. */
function meterTimeMs(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Create a decoder for `profile`. */
export function createMeterDecoder(profile: MeterProfile, opts: DecoderOptions = {}): MeterDecoder {
  const patterns = compilePatterns(profile.patterns);
  const framer: Framer = profile.protocol === 'lines' && profile.framing ? new LinesFramer(profile.framing, patterns) : new TelegramFramer();
  const mapper = new FieldMapper(profile);
  const plaus = new Plausibility({ ratedPowerW: opts.ratedPowerW ?? profile.ratedPowerW, slackMs: opts.jumpSlackMs });
  const counts = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  const policy = profile.checksum ?? (profile.protocol === 'lines' ? 'none' : 'auto');
  let checksumSeen = false;
  const frameOut: FrameOut[] = [];

  function reject(reason: RejectReason, detail: string, telegram?: ParsedTelegram, meterId?: string): RejectEvent {
    counts[reason] += 1;
    const ev: RejectEvent = { ok: false, reason, detail };
    if (meterId !== undefined) ev.meterId = meterId;
    if (telegram) ev.telegram = telegram;
    return ev;
  }

  function parsed(ft: FramedTelegram, tv?: TelegramValues): ParsedTelegram {
    const protocol = profile.protocol === 'lines' ? 'lines' : ft.checksumKind === 'crc16' ? 'dsmr' : ft.checksumKind === 'bcc' ? 'iec62056-21' : profile.protocol;
    const t: ParsedTelegram = { protocol, identification: ft.identification, checksum: ft.checksum, values: tv?.values ?? {} };
    if (ft.checksumGiven !== undefined) t.checksumGiven = ft.checksumGiven;
    if (ft.checksumComputed !== undefined) t.checksumComputed = ft.checksumComputed;
    return t;
  }

  // DSMR >= 4 always carries a CRC: a telegram declaring it (1-3:0.2.8 >= 40, or Fluvius'
  // 0-0:96.1.4) but arriving without one lost its CRC to corruption.
  function checksumRequired(tv: TelegramValues): boolean {
    if (policy === 'required') return true;
    if (policy === 'none') return false;
    if (checksumSeen) return true;
    const v = tv.values['1-3:0.2.8']?.value;
    return (v !== undefined && /^\d+$/.test(v) && Number(v) >= 40) || tv.values['0-0:96.1.4'] !== undefined;
  }

  function telegram(ft: FramedTelegram, clock: LineClock): DecodeEvent {
    if (ft.checksum === 'bad') {
      return reject('bad_checksum', `checksum ${ft.checksumGiven} does not match computed ${ft.checksumComputed}`, parsed(ft));
    }
    if (ft.problem) return reject(ft.problem.reason, ft.problem.detail, parsed(ft));
    const tv = interpretLines(ft.lines, patterns, profile.framing?.ignoreUnmatched);
    if (isProblem(tv)) return reject(tv.reason, tv.detail, parsed(ft));
    const pt = parsed(ft, tv);
    if (ft.checksum === 'none' && checksumRequired(tv)) return reject('bad_checksum', 'telegram has no checksum but one is required', pt);
    if (ft.checksum === 'ok') checksumSeen = true;
    const id = mapper.meterId(tv);
    if (typeof id === 'object') return reject(id.reason, id.detail, pt);
    if (id === undefined && profile.meterId?.required) return reject('missing_register', `meter id register ${profile.meterId.key} is missing`, pt);
    const meterId = id ?? opts.meterId ?? profile.name;
    const m = mapper.map(tv);
    if ('reason' in m) return reject(m.reason, m.detail, pt, meterId);
    const f = m.fields;
    const cand = {
      importWh: f.energyImportWh,
      exportWh: f.energyExportWh,
      resolutionWh: m.resolutionWh,
      elapsedMs: opts.elapsedFrom === 'meterTime' ? meterTimeMs(f.meterTime) : clock.monoMs,
    };
    const bad = plaus.check(meterId, cand);
    if (bad) return reject(bad.reason, bad.detail, pt, meterId);
    const reading: MeterReading = { meterId, seq: plaus.commit(meterId, cand), timeMs: clock.timeMs, monoMs: clock.monoMs, ...f };
    if (profile.mbus) {
      const mbus = extractMbus(tv.values);
      if (mbus.length) reading.mbus = mbus;
    }
    return { ok: true, reading, telegram: pt };
  }

  function drain(clock: LineClock | null): DecodeEvent[] {
    const events: DecodeEvent[] = [];
    for (const o of frameOut) {
      if ('telegram' in o) events.push(telegram(o.telegram, clock ?? { timeMs: 0, monoMs: 0 }));
      else events.push(reject(o.reason, o.detail, o.identification !== undefined ? { protocol: profile.protocol, identification: o.identification, checksum: 'none', values: {} } : undefined));
    }
    frameOut.length = 0;
    return events;
  }

  return {
    profile,
    push(line, clock) {
      framer.push(line, frameOut);
      return frameOut.length ? drain(clock) : [];
    },
    end() {
      framer.end(frameOut);
      return drain(null);
    },
    counters: () => ({ ...counts }),
    resetBaseline: (meterId) => plaus.resetBaseline(meterId),
  };
}
