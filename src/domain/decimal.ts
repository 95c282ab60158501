import { minorDigits } from './money.ts';

/**
 * Converts a decimal amount written by a person or an export ("1,234.50", "-12", "1234.5") to
 * integer minor units without floating point. Returns null when the text is not an amount or has
 * more decimals than the currency allows.
 */
export function parseDecimalAmount(text: string, minorDigits: number): number | null {
  const cleaned = text.trim().replace(/[\s,]/g, '');
  const match = /^([+-])?(\d+)(?:\.(\d*))?$/.exec(cleaned) ?? /^([+-])?()\.(\d+)$/.exec(cleaned);
  if (!match) return null;
  const [, sign, whole = '', fraction = ''] = match;
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > minorDigits) return null;
  const digits = `${whole || '0'}${fraction.padEnd(minorDigits, '0').slice(0, minorDigits)}`;
  const value = Number(BigInt(digits));
  if (!Number.isSafeInteger(value)) return null;
  return sign === '-' ? -value : value;
}

/** A decimal amount in `currency` as integer minor units, or null. */
export function decimalToMinor(text: string, currency: string): number | null {
  return parseDecimalAmount(text, minorDigits(currency));
}
