// Quantities for people as exact decimals: Wh as kWh, seconds as hours. A value that has no
// finite decimal form (1 s = 0.000277… h) is rounded half-up to 6 decimals and marked "≈";
// every other value is written out in full.
import { parseDecimal, ratio, reduce, roundHalfUp, type Ratio } from '../../core/money/decimal';

const MAX_DIGITS = 6;

/** Decimals needed to write r exactly, or null when it has no finite decimal form (den not 2^a·5^b). */
function exactDigits(r: Ratio): number | null {
  let den = r.den;
  let twos = 0;
  let fives = 0;
  while (den % 2n === 0n) [den, twos] = [den / 2n, twos + 1];
  while (den % 5n === 0n) [den, fives] = [den / 5n, fives + 1];
  return den === 1n ? Math.max(twos, fives) : null;
}

/** An exact ratio as decimal text with at least `minDigits` decimals; "≈" marks a rounded one. */
export function decimalText(value: Ratio, minDigits = 0): string {
  const r = reduce(value);
  const exact = exactDigits(r);
  const digits = Math.max(exact ?? MAX_DIGITS, minDigits);
  const scaled = roundHalfUp(ratio(r.num * 10n ** BigInt(digits), r.den));
  const neg = scaled < 0n;
  const abs = (neg ? -scaled : scaled).toString().padStart(digits + 1, '0');
  const int = abs.slice(0, abs.length - digits);
  const text = `${neg ? '-' : ''}${int}${digits ? `.${abs.slice(abs.length - digits)}` : ''}`;
  return exact === null ? `≈${text}` : text;
}

/** Wh (integer or decimal string) as kWh: 12345 → "12.345", with `minDigits` decimals at least. */
export function kWhText(wh: number | string, minDigits = 0): string {
  const r = parseDecimal(wh);
  return decimalText({ num: r.num, den: r.den * 1000n }, minDigits);
}

/** Seconds as hours: 900 → "0.25", 300 → "≈0.083333". */
export function hoursText(seconds: number | string): string {
  const r = parseDecimal(seconds);
  return decimalText({ num: r.num, den: r.den * 3600n });
}

/** Whole seconds as h:mm:ss (1800 → "0:30:00"). */
export function durationText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
