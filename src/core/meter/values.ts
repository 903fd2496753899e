// Interpret the data lines of a framed telegram: OBIS data sets (DSMR and IEC 62056-21 alike)
// or profile line patterns, into registers keyed exactly as written.
import type { ParsedValue, RejectReason } from './events';
import { printable } from './framer';
import type { CompiledPattern } from './lines';
import { matchPattern } from './lines';
import { canonicalUnit, isDecimal, parseDataLine, splitValueUnit } from './obis';

/** Registers of one telegram: parsed values plus the raw text each came from. */
export interface TelegramValues {
  values: Record<string, ParsedValue>;
  /** Raw text per key as sent: the last group ("000123.456*kWh") or the matched line. */
  raw: Record<string, string>;
}

/** A line-level problem that rejects the whole telegram. */
export interface LineProblem {
  reason: RejectReason;
  detail: string;
}

function checkUnits(code: string, groups: string[]): LineProblem | null {
  for (const g of groups) {
    const star = g.indexOf('*');
    if (star < 0) continue;
    // Only "number*unit" groups carry a unit; "(1-0:1.8.0*255)" is an OBIS reference.
    const { value, unit } = splitValueUnit(g);
    if (!isDecimal(value)) continue;
    if (!unit || canonicalUnit(unit) === undefined) {
      return { reason: 'unknown_unit', detail: `register ${code}: unknown unit "${printable(unit ?? '')}"` };
    }
  }
  return null;
}

function toParsed(groups: string[]): ParsedValue {
  const last = splitValueUnit(groups[groups.length - 1]);
  const pv: ParsedValue = last.unit !== undefined ? { value: last.value, unit: last.unit } : { value: last.value };
  if (groups.length > 1) pv.groups = groups;
  return pv;
}

/**
 * Parse every data line. A line that is neither a well-formed OBIS data line nor matches a
 * profile pattern rejects the telegram as garbage: without a checksum, structure is all we
 * can verify, so nothing half-understood is passed on.
 */
export function interpretLines(lines: string[], patterns: CompiledPattern[], ignoreUnmatched = false): TelegramValues | LineProblem {
  const values: Record<string, ParsedValue> = {};
  const raw: Record<string, string> = {};
  let prev: { code: string; groups: string[] } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const sets = patterns.length && !line.includes('(') ? null : parseDataLine(line);
    if (!sets) {
      const m = patterns.length ? matchPattern(line, patterns) : null;
      if (m) {
        if (m.unit !== undefined && isDecimal(m.value) && canonicalUnit(m.unit) === undefined) {
          return { reason: 'unknown_unit', detail: `register ${m.key}: unknown unit "${printable(m.unit)}"` };
        }
        values[m.key] = m.unit !== undefined ? { value: m.value, unit: m.unit } : { value: m.value };
        raw[m.key] = line;
        prev = null;
        continue;
      }
      if (ignoreUnmatched) continue;
      return { reason: 'garbage', detail: `line ${i + 1} is not a data line: ${printable(line)}` };
    }
    for (const s of sets) {
      if (s.code === '') {
        // DSMR 2.2/3 put the gas value on its own line "(00001.001)" after 0-n:24.3.0.
        if (!prev) return { reason: 'garbage', detail: `line ${i + 1}: value without a code: ${printable(line)}` };
        prev.groups = prev.groups.concat(s.groups);
      } else {
        prev = { code: s.code, groups: s.groups };
      }
      const bad = checkUnits(prev.code, s.groups);
      if (bad) return bad;
      values[prev.code] = toParsed(prev.groups);
      raw[prev.code] = prev.groups[prev.groups.length - 1];
    }
  }
  return { values, raw };
}

/** True when `x` is a LineProblem rather than values. */
export function isProblem(x: TelegramValues | LineProblem): x is LineProblem {
  return (x as LineProblem).reason !== undefined;
}
