// Exact rational arithmetic on BigInt, used for every money and tariff computation.
// Prices arrive as decimal numbers (OCPI JSON) and are multiplied by volumes in Wh or ms;
// keeping numerator/denominator exact means rounding happens once, where the rules say.

/** An exact fraction num/den with den > 0 (not necessarily reduced). */
export interface Ratio {
  num: bigint;
  den: bigint;
}

const DECIMAL_RE = /^([+-])?(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Build a ratio; the sign is carried by the numerator. */
export function ratio(num: bigint, den: bigint = 1n): Ratio {
  if (den === 0n) throw new RangeError('division by zero');
  return den < 0n ? { num: -num, den: -den } : { num, den };
}

/** Parse a decimal string or a JSON number exactly ("0.25", 0.25, "1e-3"); throws on anything else. */
export function parseDecimal(value: string | number): Ratio {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  // String(number) gives the shortest round-trip form, which is the decimal the JSON author wrote.
  const text = typeof value === 'number' ? String(value) : value.trim();
  const m = DECIMAL_RE.exec(text);
  if (!m) throw new RangeError(`not a decimal number: "${text}"`);
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? '0') - frac.length;
  let num = BigInt(m[2] + frac);
  if (m[1] === '-') num = -num;
  return exp >= 0 ? ratio(num * 10n ** BigInt(exp)) : ratio(num, 10n ** BigInt(-exp));
}

/** a + b. */
export function add(a: Ratio, b: Ratio): Ratio {
  if (a.den === b.den) return { num: a.num + b.num, den: a.den };
  return reduce({ num: a.num * b.den + b.num * a.den, den: a.den * b.den });
}

/** a − b. */
export function sub(a: Ratio, b: Ratio): Ratio {
  return add(a, { num: -b.num, den: b.den });
}

/** a × b. */
export function mul(a: Ratio, b: Ratio): Ratio {
  return reduce({ num: a.num * b.num, den: a.den * b.den });
}

/** a ÷ b. */
export function div(a: Ratio, b: Ratio): Ratio {
  return reduce(ratio(a.num * b.den, a.den * b.num));
}

/** Compare: negative if a < b, 0 if equal, positive if a > b. */
export function cmp(a: Ratio, b: Ratio): number {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** Smallest integer ≥ r. */
export function ceil(r: Ratio): bigint {
  const q = r.num / r.den;
  return r.num > 0n && q * r.den !== r.num ? q + 1n : q;
}

/** Largest integer ≤ r. */
export function floor(r: Ratio): bigint {
  const q = r.num / r.den;
  return r.num < 0n && q * r.den !== r.num ? q - 1n : q;
}

/** Round half away from zero to an integer ("half-up" in commercial rounding). */
export function roundHalfUp(r: Ratio): bigint {
  const neg = r.num < 0n;
  const n = neg ? -r.num : r.num;
  const q = (2n * n + r.den) / (2n * r.den);
  return neg ? -q : q;
}

/** Approximate value as a JS number, for display and comparisons that tolerate it. */
export function toNumber(r: Ratio): number {
  return Number(r.num) / Number(r.den);
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Divide numerator and denominator by their gcd so BigInts stay small. */
export function reduce(r: Ratio): Ratio {
  const g = gcd(r.num, r.den);
  return g > 1n ? { num: r.num / g, den: r.den / g } : r;
}
