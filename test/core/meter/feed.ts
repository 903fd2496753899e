// Test helper: split a byte stream like @serialport/parser-readline (delimiter '\n') and feed it.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DecodeEvent, MeterDecoder } from '../../../src/core/meter/decoder';

/** Path of a fixture under test/fixtures. */
export function fixturePath(...parts: string[]): string {
  return path.join(__dirname, '../../fixtures', ...parts);
}

/** A fixture's bytes as a latin1 string (one char per byte). */
export function fixture(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'latin1');
}

/** Lines as readline delivers them: split on '\n', the unterminated tail held back. */
export function readlineSplit(text: string): { lines: string[]; tail: string } {
  const parts = text.split('\n');
  const tail = parts.pop() ?? '';
  return { lines: parts, tail };
}

/** Feed `text` through `dec` line by line; `end` reports what is left open. mono advances 1 s per line by default. */
export function feed(dec: MeterDecoder, text: string, opts: { end?: boolean; t0?: number; stepMs?: number } = {}): DecodeEvent[] {
  const { lines } = readlineSplit(text);
  const events: DecodeEvent[] = [];
  let t = opts.t0 ?? 1_000_000;
  for (const l of lines) {
    events.push(...dec.push(l, { timeMs: 1_764_000_000_000 + t, monoMs: t }));
    t += opts.stepMs ?? 0;
  }
  if (opts.end) {
    // readline's flush releases the unterminated tail (e.g. an IEC ETX+BCC) at stream end.
    const { tail } = readlineSplit(text);
    if (tail !== '') events.push(...dec.push(tail, { timeMs: 1_764_000_000_000 + t, monoMs: t }));
    events.push(...dec.end());
  }
  return events;
}

/** Readings only. */
export function readings(events: DecodeEvent[]) {
  return events.flatMap((e) => (e.ok ? [e.reading] : []));
}

/** Reject reasons only. */
export function reasons(events: DecodeEvent[]): string[] {
  return events.flatMap((e) => (e.ok ? [] : [e.reason]));
}
