import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { add, ceil, floor, formatMinor, minorDigits, parseDecimal, parseMoney, ratio, roundHalfUp, roundToMinor } from '../../../src/core/money';

describe('decimal', () => {
  it('parses decimal strings and JSON numbers exactly', () => {
    expect(parseDecimal('0.25')).toEqual({ num: 25n, den: 100n });
    expect(parseDecimal(0.1)).toEqual({ num: 1n, den: 10n });
    expect(parseDecimal('1e-3')).toEqual({ num: 1n, den: 1000n });
    expect(parseDecimal('-2.5E2')).toEqual({ num: -250n, den: 1n });
    expect(() => parseDecimal('1,5')).toThrow(/not a decimal/);
    expect(() => parseDecimal(Number.NaN)).toThrow(/finite/);
  });

  it('rounds half away from zero', () => {
    expect(roundHalfUp(ratio(5n, 2n))).toBe(3n);
    expect(roundHalfUp(ratio(-5n, 2n))).toBe(-3n);
    expect(roundHalfUp(ratio(249n, 100n))).toBe(2n);
    expect(ceil(ratio(7n, 2n))).toBe(4n);
    expect(ceil(ratio(-7n, 2n))).toBe(-3n);
    expect(floor(ratio(-7n, 2n))).toBe(-4n);
  });

  it('adds exactly where floats do not (0.1 + 0.2)', () => {
    expect(roundToMinor(add(parseDecimal(0.1), parseDecimal(0.2)), 'EUR')).toBe(30n);
    expect(add(parseDecimal(0.1), parseDecimal(0.2))).toEqual({ num: 3n, den: 10n });
  });
});

describe('money', () => {
  it('knows minor units', () => {
    expect([minorDigits('EUR'), minorDigits('JPY'), minorDigits('KWD')]).toEqual([2, 0, 3]);
    expect(() => minorDigits('eur')).toThrow();
  });

  it('rounds half-up to the minor unit (5.125 → 5.13, 0.125 → 0.13)', () => {
    expect(parseMoney('5.125', 'EUR')).toBe(513n);
    expect(parseMoney(0.125, 'EUR')).toBe(13n);
    expect(parseMoney('5.5', 'JPY')).toBe(6n);
    expect(parseMoney('1.0005', 'KWD')).toBe(1001n);
  });

  it('formats minor units', () => {
    expect(formatMinor(550n, 'EUR')).toBe('5.50');
    expect(formatMinor(-5n, 'EUR')).toBe('-0.05');
    expect(formatMinor(7, 'JPY')).toBe('7');
    expect(formatMinor(1001n, 'KWD')).toBe('1.001');
  });

  it('format and parse round-trip', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.constantFrom('EUR', 'JPY', 'KWD'), (minor, cur) => parseMoney(formatMinor(minor, cur), cur) === minor));
  });
});
