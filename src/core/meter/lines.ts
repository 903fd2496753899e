// The 'lines' protocol: charger-internal metering boards that print "key=value" (or any regex-
// matchable) lines. A record runs from an optional `begin` line to the `end` line; it has no
// checksum, so the decoder's plausibility checks are its only guard.
import type { FrameOut, Framer } from './framer';
import { printable } from './framer';
import type { LinePattern, LinesFraming } from './profile';

/** A compiled line pattern. */
export interface CompiledPattern {
  key: string;
  re: RegExp;
  unit?: string;
}

/** Compile profile patterns once. */
export function compilePatterns(patterns: LinePattern[] | undefined): CompiledPattern[] {
  return (patterns ?? []).map((p) => ({ key: p.key, re: new RegExp(p.regex), unit: p.unit }));
}

/** Match a line against the patterns: key, value text and unit (from the line or the pattern). */
export function matchPattern(line: string, patterns: CompiledPattern[]): { key: string; value: string; unit?: string } | null {
  for (const p of patterns) {
    const m = p.re.exec(line);
    if (!m) continue;
    const value = (m.groups?.value ?? m[1] ?? '').trim();
    const unit = (m.groups?.unit ?? m[2])?.trim() || p.unit;
    return unit ? { key: p.key, value, unit } : { key: p.key, value };
  }
  return null;
}

/** Framer for begin/end-delimited records of free-form lines. */
export class LinesFramer implements Framer {
  private readonly begin?: RegExp;
  private readonly endRe: RegExp;
  private open: boolean;
  private lines: string[] = [];

  constructor(framing: LinesFraming, private readonly patterns: CompiledPattern[]) {
    this.begin = framing.begin ? new RegExp(framing.begin) : undefined;
    this.endRe = new RegExp(framing.end);
    this.open = !this.begin;
  }

  /** Feed one line as readline delivers it ('\n' stripped, '\r' kept). */
  push(line: string, out: FrameOut[]): void {
    const text = line.charCodeAt(line.length - 1) === 0x0d ? line.slice(0, -1) : line;
    if (this.begin && this.begin.test(text)) {
      if (this.open && this.lines.some((l) => l !== '')) out.push({ reason: 'truncated', detail: 'a new record began before its end line' });
      this.open = true;
      this.lines = [];
      return;
    }
    if (!this.open) {
      if (text !== '') out.push({ reason: 'garbage', detail: `line outside a record: ${printable(text)}` });
      return;
    }
    if (this.lines.length > 1000) {
      out.push({ reason: 'garbage', detail: 'record longer than 1000 lines without an end line' });
      this.lines = [];
      this.open = !this.begin;
      return;
    }
    const isEnd = this.endRe.test(text);
    // The end line is data only when a pattern matches it (e.g. a final "E=..." line).
    if (!isEnd || matchPattern(text, this.patterns)) this.lines.push(text);
    if (isEnd) {
      out.push({ telegram: { identification: '', lines: this.lines, checksum: 'none', checksumKind: 'none' } });
      this.lines = [];
      this.open = !this.begin;
    }
  }

  /** Report a record still open when the input ends. */
  end(out: FrameOut[]): void {
    if (this.lines.some((l) => l !== '')) out.push({ reason: 'truncated', detail: 'input ended inside a record' });
    this.lines = [];
    this.open = !this.begin;
  }
}
