import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalUnit, decimalToInt, decimalToNumber, parseDataLine, splitValueUnit, unitShift } from '../../../src/core/meter/obis';

describe('decimal conversion', () => {
  it('converts kWh text to exact integer Wh', () => {
    expect(decimalToInt('000004.426', 3, 'trunc')).toBe(4426);
    expect(decimalToInt('12345.678', 3, 'trunc')).toBe(12345678);
    expect(decimalToInt('00001.001', 3, 'trunc')).toBe(1001);
    expect(decimalToInt('000000.000', 3, 'trunc')).toBe(0);
    expect(decimalToInt('1', 3, 'trunc')).toBe(1000);
    expect(decimalToInt('1.5', 6, 'trunc')).toBe(1_500_000);
  });
  it('truncates energy below one Wh (documented rule) and rounds power half away from zero', () => {
    expect(decimalToInt('0.0005', 3, 'trunc')).toBe(0);
    expect(decimalToInt('00032549.5061662', 3, 'trunc')).toBe(32549506);
    expect(decimalToInt('0.0005', 3, 'round')).toBe(1);
    expect(decimalToInt('0.0004', 3, 'round')).toBe(0);
    expect(decimalToInt('-0.0005', 3, 'round')).toBe(-1);
    expect(decimalToInt('001688.21', 0, 'round')).toBe(1688);
    expect(decimalToInt('001688.50', 0, 'round')).toBe(1689);
  });
  it('handles negative shifts (mA → A) and signs', () => {
    expect(decimalToNumber('1500', -3)).toBe(1.5);
    expect(decimalToNumber('5', -3)).toBe(0.005);
    expect(decimalToNumber('0230.0', 0)).toBe(230);
    expect(decimalToNumber('-1.25', 3)).toBe(-1250);
    expect(decimalToInt('-1.234', 3, 'trunc')).toBe(-1234);
  });
  it('rejects non-decimals and values beyond 2^53', () => {
    expect(decimalToInt('', 3, 'trunc')).toBeNull();
    expect(decimalToInt('.', 3, 'trunc')).toBeNull();
    expect(decimalToInt('1.2.3', 3, 'trunc')).toBeNull();
    expect(decimalToInt('12a', 3, 'trunc')).toBeNull();
    expect(decimalToInt('1e3', 3, 'trunc')).toBeNull();
    expect(decimalToInt('99999999999999999', 3, 'trunc')).toBeNull();
  });
  it('matches exact rational arithmetic for any kWh text with 0..7 decimals (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.integer({ min: 0, max: 7 }), (n, dec) => {
        const digits = n.toString().padStart(dec + 1, '0');
        const text = dec ? `${digits.slice(0, -dec)}.${digits.slice(-dec)}` : digits;
        // exact: floor(n * 1000 / 10^dec)
        const expected = (n * 1000n) / 10n ** BigInt(dec);
        const got = decimalToInt(text, 3, 'trunc');
        if (expected > BigInt(Number.MAX_SAFE_INTEGER)) return got === null;
        return got === Number(expected);
      }),
    );
  });
});

describe('data lines', () => {
  it('parses full and short codes, several groups and several data sets', () => {
    expect(parseDataLine('1-0:1.8.1(000004.426*kWh)')).toEqual([{ code: '1-0:1.8.1', groups: ['000004.426*kWh'] }]);
    expect(parseDataLine('1-0:1.8.0*255(00032549.5061662*kWh)')).toEqual([{ code: '1-0:1.8.0*255', groups: ['00032549.5061662*kWh'] }]);
    expect(parseDataLine('0-1:24.2.1(170102161005W)(00000.107*m3)')?.[0].groups).toEqual(['170102161005W', '00000.107*m3']);
    expect(parseDataLine('32.7.0(230.1*V)31.7.0(16.0*A)')?.map((s) => s.code)).toEqual(['32.7.0', '31.7.0']);
    expect(parseDataLine('(00001.001)')).toEqual([{ code: '', groups: ['00001.001'] }]);
    expect(parseDataLine('0-0:96.13.0()')).toEqual([{ code: '0-0:96.13.0', groups: [''] }]);
  });
  it('rejects malformed lines', () => {
    for (const bad of ['', 'abc', '1-0:1.8.1(12', '1-0:1.8.1(1)x', '1-0:1.8.1((1))', '1 0:1.8.1(1)', '1-0:1.8.1(1\x00)']) {
      expect(parseDataLine(bad), JSON.stringify(bad)).toBeNull();
    }
  });
  it('splits value and unit, dropping leading spaces', () => {
    expect(splitValueUnit('  3.680*kW')).toEqual({ value: '3.680', unit: 'kW' });
    expect(splitValueUnit('1336001560')).toEqual({ value: '1336001560' });
  });
  it('knows units case-insensitively and checks they fit the quantity', () => {
    expect(canonicalUnit('KWH')).toBe('kWh');
    expect(canonicalUnit('kvarh')).toBe('kvarh');
    expect(canonicalUnit('kWx')).toBeUndefined();
    expect(unitShift('kWh', 'energy')).toBe(3);
    expect(unitShift('kvarh', 'energy')).toBeUndefined();
    expect(unitShift('W', 'energy')).toBeUndefined();
    expect(unitShift('mA', 'current')).toBe(-3);
  });
});
