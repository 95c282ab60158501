import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalToMinor, parseDecimalAmount } from '../../src/domain/decimal.ts';

describe('decimal amounts', () => {
  it('converts without floating point', () => {
    expect(parseDecimalAmount('1,234.50', 2)).toBe(123_450);
    expect(parseDecimalAmount('0.1', 2)).toBe(10);
    expect(parseDecimalAmount('.07', 2)).toBe(7);
    expect(parseDecimalAmount('-12', 2)).toBe(-1_200);
    expect(parseDecimalAmount('19.999', 2)).toBeNull();
    expect(parseDecimalAmount('19.990', 2)).toBe(1_999);
    expect(parseDecimalAmount('12abc', 2)).toBeNull();
    expect(parseDecimalAmount('', 2)).toBeNull();
    expect(decimalToMinor('1500', 'JPY')).toBe(1_500);
    expect(decimalToMinor('1500.5', 'JPY')).toBeNull();
    expect(decimalToMinor('1.234', 'BHD')).toBe(1_234);
  });

  it('round-trips every integer number of cents', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (cents) => {
        const text = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
        expect(parseDecimalAmount(text, 2)).toBe(cents);
      }),
    );
  });
});
