// A readline equivalent for meter byte streams: splits on '\n' (kept out, '\r' kept in) like
// @serialport/parser-readline, and additionally releases an IEC 62056-21 "ETX BCC" pair as a
// line of its own. Why: the BCC follows "!\r\n" ETX without any newline, so a plain readline
// would hold it back until the next readout's first line, delaying (or, for a meter that is
// polled only once, losing) the reading.

/** Splits decoded stream text into decoder lines; feed it chunks in arrival order. */
export class MeterLineSplitter {
  private buf = '';

  /**
   * Add a chunk (decode bytes as latin1 so each char is one byte) and return the lines it
   * completed. `iecEtx` (default true) releases "\x03" + BCC as soon as both have arrived.
   */
  push(chunk: string, iecEtx = true): string[] {
    const out: string[] = [];
    let text = this.buf + chunk;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) {
        out.push(text.slice(start, i));
        start = i + 1;
      } else if (c === 0x03 && iecEtx) {
        if (i + 1 >= text.length) break;
        if (i > start) out.push(text.slice(start, i));
        out.push(text.slice(i, i + 2));
        i += 1;
        start = i + 1;
      }
    }
    text = text.slice(start);
    this.buf = text;
    return out;
  }

  /** End of input: the unterminated rest as a last line, as readline's flush does ([] if none). */
  flush(): string[] {
    const rest = this.buf;
    this.buf = '';
    return rest === '' ? [] : [rest];
  }

  /** Bytes held back waiting for a delimiter. */
  get pending(): number {
    return this.buf.length;
  }
}
