// What the meter decoder emits: accepted readings and counted rejections.
import type { MeterReading } from '../types';

/** Why a telegram or reading was rejected; each is counted by the decoder. */
export type RejectReason =
  | 'bad_checksum' // CRC-16 / BCC mismatch, or a checksum the profile requires is missing
  | 'truncated' // a telegram ended before its end marker ('/' again, ETX missing, end of input)
  | 'garbage' // bytes outside a telegram, or a malformed line / non-ASCII byte inside one
  | 'unknown_unit' // a unit the decoder does not know, or one that does not fit the field
  | 'bad_value' // a mapped register whose value is not a decimal number (or too large)
  | 'missing_register' // a field the profile requires (or the meter id) is absent
  | 'register_backwards' // an energy register lower than the last accepted one of that meter
  | 'impossible_jump'; // more energy than the rated power allows in the elapsed time

/** Every reject reason, for zero-filled counters. */
export const REJECT_REASONS: readonly RejectReason[] = [
  'bad_checksum', 'truncated', 'garbage', 'unknown_unit', 'bad_value', 'missing_register',
  'register_backwards', 'impossible_jump',
];

/** Checksum verdict of a telegram: 'none' when the telegram carries no checksum (DSMR < 4, push mode). */
export type ChecksumStatus = 'ok' | 'bad' | 'none';

/** One register as the telegram wrote it. */
export interface ParsedValue {
  /** The value text of the last group, trimmed ("000004.426"); '' for a blank value. */
  value: string;
  unit?: string;
  /** All raw groups, present only when the data set has more than one ("(time)(value*unit)"). */
  groups?: string[];
}

/** A framed telegram after its checksum check and line parsing. */
export interface ParsedTelegram {
  protocol: 'dsmr' | 'iec62056-21' | 'lines';
  /** The identification line without CR ("/ISk5\2MT382-1000"); '' for 'lines' records without one. */
  identification: string;
  checksum: ChecksumStatus;
  /** The checksum as transmitted (CRC hex digits, or BCC as 2 hex digits), when there is one. */
  checksumGiven?: string;
  /** The checksum computed over the received bytes, when there is one to compare. */
  checksumComputed?: string;
  /** Registers keyed exactly as written in the telegram (OBIS code or pattern key). */
  values: Record<string, ParsedValue>;
}

/** Controller clock at the moment a line arrived. */
export interface LineClock {
  /** Wall-clock ms since the epoch. */
  timeMs: number;
  /** Monotonic ms (e.g. performance.now()); only differences matter. */
  monoMs: number;
}

/** An accepted reading, with the telegram it came from. */
export interface ReadingEvent {
  ok: true;
  reading: MeterReading;
  telegram: ParsedTelegram;
}

/** A rejection: never a reading. `telegram` is present when the telegram got far enough to parse. */
export interface RejectEvent {
  ok: false;
  reason: RejectReason;
  /** Human-readable explanation for logs and the CLI. */
  detail: string;
  meterId?: string;
  telegram?: ParsedTelegram;
}

/** Output of MeterDecoder.push. */
export type DecodeEvent = ReadingEvent | RejectEvent;

/** What a meter port emits: a reading (with its telegram when it came as one; Modbus has none) or a rejection. */
export type MeterEvent = { ok: true; reading: MeterReading; telegram?: ParsedTelegram } | RejectEvent;
