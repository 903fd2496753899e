// Telegram framing for DSMR P1 and IEC 62056-21 readouts, one readline line at a time.
// A telegram runs from an identification line "/..." (usually "/XXXZ...") to a "!" line. DSMR >= 4 puts a
// CRC-16/ARC after the "!" (over the bytes "/" .. "!" inclusive, CRLF included); IEC 62056-21
// wraps the data in STX .. "!" CRLF ETX and appends a BCC. Push-mode meters send neither.
import { crc16arcText, formatCrc16 } from './crc16';
import type { ChecksumStatus, RejectReason } from './events';
import { bccOfText } from './iec62056';

/** A telegram whose framing is complete, before its lines are interpreted. */
export interface FramedTelegram {
  /**
   * Identification line as received, without CR, escaped for display (an STX shows as \x02);
   * '' for framings without one. Any line starting with "/" opens a telegram: gateways and
   * heat-link devices send headers outside the "/XXXZ" form, and the checksum decides, not the header.
   */
  identification: string;
  /** Data lines in order, with STX and the trailing CR removed (ident and "!" line excluded). */
  lines: string[];
  checksum: ChecksumStatus;
  checksumKind: 'crc16' | 'bcc' | 'none';
  checksumGiven?: string;
  checksumComputed?: string;
  /** First structural problem seen inside the telegram (checked after the checksum verdict). */
  problem?: { reason: RejectReason; detail: string };
}

/** What a framer produces: a framed telegram or a rejection of bytes that never formed one. */
export type FrameOut = { telegram: FramedTelegram } | { reason: RejectReason; detail: string; identification?: string };

/** A line-at-a-time framer; `end()` reports a telegram left open when the input ends. */
export interface Framer {
  push(line: string, out: FrameOut[]): void;
  end(out: FrameOut[]): void;
}

// Inside a line of noise, a telegram start is looked for only in the standard form: "/" + 3-letter
// manufacturer id (DSMR uses upper and lower case) + baud-rate character. A line that starts with
// "/" opens a telegram whatever follows.
const IDENT_SEARCH = /\/[A-Za-z]{3}[0-9A-Za-z]/;
// Echoes of our own sign-on request and option select on half-duplex lines; not garbage.
// eslint-disable-next-line no-control-regex
const ECHO_RE = /^(?:\/\?[0-9A-Za-z ]*!|\x06[0-9]{3})\r?$/;
const PRINTABLE_RE = /^[\x20-\x7e]*\r?$/;
const CHECKSUM_RE = /^[0-9A-Fa-f]{3,4}$/;
// Printable lines right after a telegram's end that are not a telegram (e.g. the serial number
// and padding an EasyMeter COM-1 Ethernet gateway appends after "!"): skipped, not garbage.
const MAX_TRAILER_LINES = 4;
const MAX_LINE = 4096;
const MAX_TELEGRAM = 65536;
// Report a long garbage run again every this many lines, so a wrong baud rate keeps showing.
const GARBAGE_REPORT_EVERY = 32;

const enum State { Idle, In, AwaitEtx }

/** Escape control and non-ASCII characters for a one-line diagnostic. */
export function printable(text: string, max = 40): string {
  const s = text.slice(0, max).replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return text.length > max ? `${s}…` : s;
}

/** Framer for "/" .. "!" telegrams (DSMR P1, IEC 62056-21 modes C/D and push). */
export class TelegramFramer implements Framer {
  private state = State.Idle;
  private ident = '';
  private lines: string[] = [];
  private crc = 0;
  private bcc = 0;
  private stx = false;
  private bytes = 0;
  private problem: FramedTelegram['problem'];
  private garbageRun = 0;
  private trailerLeft = 0;

  /** Feed one line as readline delivers it ('\n' stripped, '\r' kept). */
  push(line: string, out: FrameOut[]): void {
    if (this.state === State.AwaitEtx) return this.pushEtx(line, out);
    if (this.state === State.Idle) return this.pushIdle(line, out);
    const restart = this.restartAt(line);
    if (restart >= 0) {
      out.push({ reason: 'truncated', detail: 'a new telegram began before "!"', identification: this.ident });
      return this.begin(line.slice(restart));
    }
    // A half-duplex head echoes our sign-on / option select while the meter answers.
    if (ECHO_RE.test(line)) return;
    this.bytes += line.length + 1;
    if (this.bytes > MAX_TELEGRAM || line.length > MAX_LINE) {
      out.push({ reason: 'garbage', detail: `telegram longer than ${MAX_TELEGRAM} bytes without "!"`, identification: this.ident });
      this.state = State.Idle;
      return;
    }
    const crcBefore = this.crc;
    this.crc = crc16arcText('\n', crc16arcText(line, this.crc));
    let body = line;
    if (body.charCodeAt(0) === 0x02) {
      if (this.stx || this.lines.some((l) => l !== '')) this.note('garbage', 'STX in the middle of a telegram');
      this.stx = true;
      this.bcc = 0;
      body = body.slice(1);
    }
    if (this.stx) this.bcc ^= bccOfText(body) ^ 0x0a;
    if (!PRINTABLE_RE.test(body)) this.note('garbage', `control or non-ASCII byte in line ${this.lines.length + 1}: ${printable(body)}`);
    const text = body.charCodeAt(body.length - 1) === 0x0d ? body.slice(0, -1) : body;
    if (text.charCodeAt(0) !== 0x21) {
      this.lines.push(text);
      return;
    }
    const rest = text.slice(1);
    if (this.stx) {
      if (rest !== '') this.note('garbage', `unexpected text after "!": ${printable(rest)}`);
      this.state = State.AwaitEtx;
      return;
    }
    const t = this.finish('none');
    if (CHECKSUM_RE.test(rest)) {
      const computed = crc16arcText('!', crcBefore);
      t.checksumKind = 'crc16';
      t.checksumGiven = rest.toUpperCase();
      t.checksumComputed = formatCrc16(computed);
      t.checksum = parseInt(rest, 16) === computed ? 'ok' : 'bad';
    } else if (rest !== '') {
      t.problem ??= { reason: 'garbage', detail: `malformed end line: ${printable(text)}` };
    }
    out.push({ telegram: t });
  }

  /** Report a telegram still open when the input ends. */
  end(out: FrameOut[]): void {
    if (this.state !== State.Idle) out.push({ reason: 'truncated', detail: 'input ended inside a telegram', identification: this.ident });
    this.state = State.Idle;
  }

  private pushIdle(line: string, out: FrameOut[]): void {
    if (line === '' || line === '\r' || ECHO_RE.test(line)) return;
    if (line.charCodeAt(0) === 0x2f) return this.begin(line);
    // An orphan "!" line is a telegram that lost its start: garbage, never a trailer.
    if (this.trailerLeft > 0 && PRINTABLE_RE.test(line) && line.charCodeAt(0) !== 0x21) {
      this.trailerLeft--;
      return;
    }
    this.trailerLeft = 0;
    const start = line.search(IDENT_SEARCH);
    if (start !== 0) {
      if (this.garbageRun++ % GARBAGE_REPORT_EVERY === 0) {
        out.push({ reason: 'garbage', detail: `bytes outside a telegram: ${printable(start > 0 ? line.slice(0, start) : line)}` });
      }
      if (start < 0) return;
    }
    this.begin(start > 0 ? line.slice(start) : line);
  }

  /**
   * Where a new identification starts inside an open telegram: at the line start, or after
   * bytes that cannot be data (a meter restarting mid-telegram); -1 if none.
   */
  private restartAt(line: string): number {
    if (line.charCodeAt(0) === 0x2f) return ECHO_RE.test(line) ? -1 : 0;
    const at = line.search(IDENT_SEARCH);
    return at > 0 && !PRINTABLE_RE.test(line.slice(0, at)) ? at : -1;
  }

  private pushEtx(line: string, out: FrameOut[]): void {
    this.state = State.Idle;
    if (line.charCodeAt(0) !== 0x03) {
      out.push({ reason: 'truncated', detail: 'ETX and BCC missing after "!"', identification: this.ident });
      return this.push(line, out);
    }
    const computed = this.bcc ^ 0x03;
    // The BCC byte may itself be LF (0x0a), which readline consumed as the delimiter.
    const given = line.length >= 2 ? line.charCodeAt(1) : 0x0a;
    const t = this.finish(given === computed ? 'ok' : 'bad');
    t.checksumKind = 'bcc';
    t.checksumGiven = given.toString(16).toUpperCase().padStart(2, '0');
    t.checksumComputed = computed.toString(16).toUpperCase().padStart(2, '0');
    out.push({ telegram: t });
    // Whatever follows the BCC on the same line (often the next identification) is a new line.
    if (line.length > 2) this.push(line.slice(2), out);
  }

  private begin(line: string): void {
    this.garbageRun = 0;
    this.state = State.In;
    this.trailerLeft = 0;
    // Kept as received (escaped for display); an unusual header is never a reason to reject.
    this.ident = printable(line.charCodeAt(line.length - 1) === 0x0d ? line.slice(0, -1) : line, MAX_LINE);
    this.lines = [];
    this.crc = crc16arcText('\n', crc16arcText(line));
    this.bytes = line.length + 1;
    this.stx = false;
    this.bcc = 0;
    this.problem = undefined;
    if (line.length > MAX_LINE) this.note('garbage', `identification longer than ${MAX_LINE} bytes`);
  }

  private note(reason: RejectReason, detail: string): void {
    this.problem ??= { reason, detail };
  }

  private finish(checksum: ChecksumStatus): FramedTelegram {
    this.state = State.Idle;
    this.trailerLeft = MAX_TRAILER_LINES;
    const t: FramedTelegram = { identification: this.ident, lines: this.lines, checksum, checksumKind: 'none' };
    if (this.problem) t.problem = this.problem;
    this.lines = [];
    return t;
  }
}
