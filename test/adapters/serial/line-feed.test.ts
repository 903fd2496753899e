import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { feedLines } from '../../../src/adapters/serial/line-feed';

function sink() {
  const parts: Buffer[] = [];
  return { w: { write: (b: Buffer) => (parts.push(Buffer.from(b)), true) } as unknown as NodeJS.WritableStream, out: () => Buffer.concat(parts).toString('latin1') };
}

function feedAll(chunks: Buffer[]): string {
  const s = sink();
  let etx = false;
  for (const c of chunks) etx = feedLines(s.w, c, etx);
  return s.out();
}

describe('feedLines', () => {
  it('ends the line right after the BCC that follows ETX', () => {
    expect(feedAll([Buffer.from('/ABC5\r\n\x021.8.0(1*kWh)\r\n!\r\n\x03X', 'latin1')])).toBe('/ABC5\r\n\x021.8.0(1*kWh)\r\n!\r\n\x03X\n');
  });
  it('handles ETX at the end of one chunk and the BCC in the next', () => {
    expect(feedAll([Buffer.from('!\r\n\x03', 'latin1'), Buffer.from('Y/NEXT', 'latin1')])).toBe('!\r\n\x03Y\n/NEXT');
  });
  it('adds nothing when the BCC is itself a line feed, or without ETX', () => {
    expect(feedAll([Buffer.from('!\r\n\x03\n', 'latin1')])).toBe('!\r\n\x03\n');
    expect(feedAll([Buffer.from('1-0:1.8.0(000001.000*kWh)\r\n!ABCD\r\n', 'latin1')])).toBe('1-0:1.8.0(000001.000*kWh)\r\n!ABCD\r\n');
  });
  it('property: how the bytes are split into chunks never changes the lines', () => {
    const bytes = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a.map((b) => [0x03, 0x0a, 0x41][b % 3])));
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(), { maxLength: 8 }), (buf, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(buf.subarray(prev, p));
          prev = p;
        }
        chunks.push(buf.subarray(prev));
        expect(feedAll(chunks)).toBe(feedAll([buf]));
      }),
    );
  });
});
