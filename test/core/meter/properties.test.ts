// Property tests: corruption never yields a reading that differs from the original, and the
// way the byte stream is chunked never changes the readings.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { MeterReading } from '../../../src/core/types';
import { createMeterDecoder } from '../../../src/core/meter/decoder';
import { MeterLineSplitter } from '../../../src/core/meter/linesplit';
import type { MeterProfile } from '../../../src/core/meter/profile';
import { loadProfile } from '../../../src/adapters/profiles';
import { fixture } from './feed';

/** Decode a whole stream through the splitter, chunked at the given cut points. */
function decode(profile: MeterProfile, text: string, cuts: number[] = []): MeterReading[] {
  const dec = createMeterDecoder(profile);
  const split = new MeterLineSplitter();
  const clock = { timeMs: 1, monoMs: 1 };
  const out: MeterReading[] = [];
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  let prev = 0;
  const take = (lines: string[]) => {
    for (const l of lines) for (const e of dec.push(l, clock)) if (e.ok) out.push(e.reading);
  };
  for (const p of [...points, text.length]) {
    take(split.push(text.slice(prev, p)));
    prev = p;
  }
  take(split.flush());
  for (const e of dec.end()) if (e.ok) out.push(e.reading);
  return out;
}

/** A reading without its per-stream bookkeeping (seq shifts when an earlier telegram is rejected). */
function content(r: MeterReading): string {
  const { seq: _s, timeMs: _t, monoMs: _m, ...rest } = r;
  return JSON.stringify(rest);
}

type Corruption = { kind: 'flip' | 'insert' | 'delete'; at: number; byte: number };

function corrupt(text: string, cs: Corruption[]): string {
  let s = text;
  for (const c of cs) {
    const at = c.at % (s.length + (c.kind === 'insert' ? 1 : 0) || 1);
    const ch = String.fromCharCode(c.byte);
    if (c.kind === 'flip') s = s.slice(0, at) + (s[at] === ch ? String.fromCharCode(c.byte ^ 0x01) : ch) + s.slice(at + 1);
    else if (c.kind === 'insert') s = s.slice(0, at) + ch + s.slice(at);
    else s = s.slice(0, at) + s.slice(at + 1);
  }
  return s;
}

const anyByte = fc.integer({ min: 0, max: 255 });
const corruption = (byte: fc.Arbitrary<number>) =>
  fc.record({ kind: fc.constantFrom('flip' as const, 'insert' as const, 'delete' as const), at: fc.nat(), byte });

const generic = loadProfile('generic-dsmr');
const crcStream = ['telegram_v4_2.txt', 'telegram_v5.txt', 'telegram_fluvius_v171.txt'].map((f) => fixture('dsmr', f)).join('');
const iecStream = fixture('iec62056-21', 'mode_c_readout.txt') + fixture('iec62056-21', 'mode_c_readout.txt');
const noCrcStream = ['telegram_v2_2.txt', 'telegram_v3.txt'].map((f) => fixture('dsmr', f)).join('') + fixture('iec62056-21', 'push_no_bcc.txt');

describe('corruption never yields a different reading', () => {
  const check = (profile: MeterProfile, stream: string, byte: fc.Arbitrary<number>) => {
    const originals = new Set(decode(profile, stream).map(content));
    expect(originals.size).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.array(corruption(byte), { minLength: 1, maxLength: 3 }), (cs) => {
        for (const r of decode(profile, corrupt(stream, cs))) {
          if (!originals.has(content(r))) throw new Error(`corrupted stream produced a new reading: ${content(r)}`);
        }
      }),
      { numRuns: 400 },
    );
  };

  it('CRC-16 telegrams (DSMR 4.2, 5, Fluvius): flips, inserts and deletes of any byte', () => {
    check(generic, crcStream, anyByte);
  });

  it('BCC-framed IEC 62056-21 readouts: any single corrupted byte', () => {
    // An XOR BCC catches every single-byte error; two errors can cancel, which is the BCC's known limit.
    // A mode C meter's profile requires the BCC: otherwise a corrupted STX turns the readout into
    // something indistinguishable from a checksum-less push-mode telegram.
    const iec: MeterProfile = { ...loadProfile('generic-iec62056-21'), checksum: 'required' };
    const originals = new Set(decode(iec, iecStream).map(content));
    fc.assert(
      fc.property(corruption(anyByte).filter((c) => c.kind === 'flip'), (c) => {
        for (const r of decode(iec, corrupt(iecStream, [c]))) expect(originals.has(content(r))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('checksum-less telegrams (DSMR 2.2/3, IEC push): control and non-ASCII bytes are always caught', () => {
    // The documented guarantee without a checksum is structural: a digit swapped for another
    // digit cannot be detected, but a byte that is not printable ASCII never passes.
    const nonText = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 11, max: 12 }), fc.integer({ min: 14, max: 31 }), fc.integer({ min: 127, max: 255 }));
    const flipOrInsert = corruption(nonText).filter((c) => c.kind !== 'delete');
    const originals = new Set(decode(generic, noCrcStream).map(content));
    fc.assert(
      fc.property(fc.array(flipOrInsert, { minLength: 1, maxLength: 3 }), (cs) => {
        for (const r of decode(generic, corrupt(noCrcStream, cs))) expect(originals.has(content(r))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('chunking never changes the readings', () => {
  // CRC-less first: once a CRC was seen, the decoder requires one.
  const all = [
    ...['telegram_v2_2.txt', 'telegram_v3.txt', 'telegram_esy5q3da1004_v304.txt', 'telegram_v4_2.txt', 'telegram_v5.txt', 'telegram_fluvius_v171.txt'].map((f) => fixture('dsmr', f)),
    'noise\x00\xff\r\n',
  ].join('');

  it('DSMR stream split at arbitrary points', () => {
    const whole = decode(generic, all);
    // v3 and v5 share a meter id, and v5's register is lower: rejected as backwards.
    expect(whole).toHaveLength(5);
    fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
      expect(decode(generic, all, cuts)).toEqual(whole);
    }), { numRuns: 300 });
  });

  it('IEC stream split at arbitrary points, incl. between ETX and BCC', () => {
    const iec = loadProfile('generic-iec62056-21');
    const whole = decode(iec, iecStream);
    expect(whole).toHaveLength(2);
    fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
      expect(decode(iec, iecStream, cuts)).toEqual(whole);
    }), { numRuns: 300 });
    // Byte by byte, the most extreme split.
    expect(decode(iec, iecStream, Array.from({ length: iecStream.length }, (_, i) => i))).toEqual(whole);
  });
});

describe('MeterLineSplitter is equivalent to @serialport/parser-readline', () => {
  it('gives the same lines as the real ReadlineParser (latin1, delimiter LF) for any chunking', async () => {
    const { ReadlineParser } = await import('@serialport/parser-readline');
    const text = ['telegram_v2_2.txt', 'telegram_v5.txt', 'telegram_esy5q3da1004_v304.txt'].map((f) => fixture('dsmr', f)).join('') + 'noise\x00\xff\x80\r\ntail';
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: text.length }), { maxLength: 30 }), async (cuts) => {
        const points = [...new Set([0, ...cuts, text.length])].sort((a, b) => a - b);
        const parser = new ReadlineParser({ delimiter: '\n', encoding: 'latin1' });
        const real: string[] = [];
        parser.on('data', (l: string) => real.push(l));
        const done = new Promise((r) => parser.on('end', r));
        const split = new MeterLineSplitter();
        const ours: string[] = [];
        for (let i = 1; i < points.length; i++) {
          const chunk = text.slice(points[i - 1], points[i]);
          parser.write(Buffer.from(chunk, 'latin1'));
          ours.push(...split.push(chunk, false));
        }
        parser.end();
        await done;
        ours.push(...split.flush());
        expect(ours).toEqual(real);
      }),
      { numRuns: 100 },
    );
  });
});
