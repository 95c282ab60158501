/** Money is an integer count of the currency's minor units (cents, yen, fils) plus an ISO 4217 code. */

const ISO_CODE = /^[A-Z]{3}$/;
const currencies = new Set(Intl.supportedValuesOf('currency'));
/** A formatter per locale and currency, with its minor-unit digits (resolvedOptions() allocates on every call). */
const formatters = new Map<string, { format: Intl.NumberFormat; digits: number }>();

/** True for an uppercase ISO 4217 code this runtime knows, e.g. 'USD'; false for 'usd', 'US$' or 'ZZZ'. */
export function isCurrencyCode(code: string): boolean {
  return ISO_CODE.test(code) && currencies.has(code);
}

const digitsByCurrency = new Map<string, number>();

/** How many minor-unit digits the currency uses: USD 2, JPY 0, BHD 3. */
export function minorDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = formatter(currency, 'en-US').digits;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/**
 * Formats integer minor units for people, e.g. formatMoney(123456, 'USD') → '$1,234.56'. The amount is turned
 * into an exact decimal string before Intl sees it, so no float rounding happens even for huge amounts.
 */
export function formatMoney(minor: number, currency: string, locale = 'en-US'): string {
  if (!Number.isFinite(minor)) throw new RangeError(`Money amount must be finite, got ${minor}`);
  const { format, digits } = formatter(currency, locale);
  return format.format(toDecimal(BigInt(Math.round(minor)), digits));
}

function toDecimal(minor: bigint, digits: number): `${number}` {
  const sign = minor < 0n ? '-' : '';
  const abs = (minor < 0n ? -minor : minor).toString().padStart(digits + 1, '0');
  const whole = abs.slice(0, abs.length - digits);
  const fraction = digits > 0 ? `.${abs.slice(-digits)}` : '';
  return `${sign}${whole}${fraction}` as `${number}`;
}

function formatter(currency: string, locale: string): { format: Intl.NumberFormat; digits: number } {
  const key = `${locale}|${currency}`;
  let found = formatters.get(key);
  if (!found) {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    found = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2 };
    formatters.set(key, found);
  }
  return found;
}
