// Money in integer minor units (BigInt internally, safe-integer numbers at the edges).
// Rounding rule: half away from zero ("half-up") to the currency's minor unit (5.125 → 5.13).
// A bill's totals are the exact sum of its components rounded once; components are shown
// rounded on their own (see tariff/sell.ts: the OCPI 2.2.1 worked totals imply this).
import { parseDecimal, ratio, roundHalfUp, mul, type Ratio } from './decimal';
import { minorDigits } from './currency';

/** A money amount in major units as an exact ratio, rounded to minor units by roundToMinor. */
export function roundToMinor(amount: Ratio, currency: string): bigint {
  return roundHalfUp(mul(amount, ratio(10n ** BigInt(minorDigits(currency)))));
}

/** Format minor units as a decimal string in major units: 550n EUR → "5.50", -5n → "-0.05". */
export function formatMinor(minor: bigint | number, currency: string): string {
  const digits = minorDigits(currency);
  const v = BigInt(minor);
  const neg = v < 0n;
  const abs = (neg ? -v : v).toString().padStart(digits + 1, '0');
  const int = abs.slice(0, abs.length - digits);
  const frac = digits > 0 ? `.${abs.slice(abs.length - digits)}` : '';
  return `${neg ? '-' : ''}${int}${frac}`;
}

/** Parse a decimal amount in major units ("5.50", 5.5) to minor units, rounding half-up. */
export function parseMoney(value: string | number, currency: string): bigint {
  return roundToMinor(parseDecimal(value), currency);
}

/** Convert a BigInt minor amount to a JS number, refusing values beyond 2^53. */
export function minorToNumber(minor: bigint): number {
  if (minor > BigInt(Number.MAX_SAFE_INTEGER) || minor < -BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('amount too large');
  return Number(minor);
}
