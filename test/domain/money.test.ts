import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney, isCurrencyCode, minorDigits } from '../../src/domain/money.ts';

describe('formatMoney', () => {
  it.each([
    [123456, 'USD', '$1,234.56'],
    [5, 'USD', '$0.05'],
    [-1999, 'USD', '-$19.99'],
    [0, 'EUR', '€0.00'],
    [123456, 'JPY', '¥123,456'],
    [1234567, 'BHD', 'BHD 1,234.567'],
    [123456789012, 'USD', '$1,234,567,890.12'],
    [9007199254740991, 'USD', '$90,071,992,547,409.91'],
  ])('formats %d minor units of %s as %s', (minor, currency, expected) => {
    expect(formatMoney(minor, currency).replaceAll('\u00a0', ' ')).toBe(expected);
  });

  it('uses the locale', () => {
    expect(formatMoney(123456789012, 'EUR', 'de-DE').replaceAll('\u00a0', ' ')).toBe('1.234.567.890,12 €');
  });

  it('rejects amounts that are not numbers', () => {
    expect(() => formatMoney(Number.NaN, 'USD')).toThrow(RangeError);
  });

  it('shows exactly the digits of the amount, whatever its size', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.constantFrom('USD', 'JPY', 'BHD'), (minor, currency) => {
        const digits = formatMoney(minor, currency).replace(/\D/g, '');
        const expected = Math.abs(minor)
          .toString()
          .padStart(minorDigits(currency) + 1, '0');
        expect(digits).toBe(expected);
      }),
    );
  });
});

describe('minorDigits', () => {
  it.each([
    ['USD', 2],
    ['JPY', 0],
    ['BHD', 3],
    ['EUR', 2],
  ])('%s has %d', (currency, digits) => {
    expect(minorDigits(currency)).toBe(digits);
  });
});

describe('isCurrencyCode', () => {
  it.each([
    ['USD', true],
    ['JPY', true],
    ['usd', false],
    ['ZZZ', false],
    ['US', false],
    ['USDD', false],
    ['', false],
  ])('%s → %s', (code, valid) => {
    expect(isCurrencyCode(code)).toBe(valid);
  });
});
