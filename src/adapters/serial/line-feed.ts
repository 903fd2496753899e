// Bytes into the readline parser, with one IEC 62056-21 special case (see feedLines).
const LF = Buffer.from('\n');

/**
 * Write a chunk into the readline parser. An IEC 62056-21 readout ends in ETX and a BCC byte
 * with no line end after it: left alone, that last "line" would wait in the parser until the
 * next readout (a whole poll interval later). So a line end is inserted right after the byte
 * that follows ETX (unless that byte is itself '\n'). Returns whether the chunk ended on ETX.
 */
export function feedLines(parser: NodeJS.WritableStream, chunk: Buffer, etxBefore: boolean): boolean {
  const afterEtx = (from: number) => {
    const e = chunk.indexOf(0x03, from);
    return e < 0 ? -1 : e + 1;
  };
  let start = 0;
  let bcc = etxBefore ? 0 : afterEtx(0);
  while (bcc >= 0) {
    if (bcc >= chunk.length) break;
    if (chunk[bcc] !== 0x0a) {
      parser.write(chunk.subarray(start, bcc + 1));
      parser.write(LF);
      start = bcc + 1;
    }
    bcc = afterEtx(bcc + 1);
  }
  if (start < chunk.length) parser.write(chunk.subarray(start));
  return bcc >= chunk.length;
}
