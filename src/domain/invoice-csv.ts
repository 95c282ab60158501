/**
 * Reading an AR aging export (CSV) into invoices, as `npm run import:invoices` does. Pure: text or
 * parsed records in, `InvoiceInput` rows or every problem out. No I/O.
 *
 * Columns are recognised by their header (the first non-blank line), ignoring case, spaces and
 * punctuation ("Invoice #", "invoice no.", "INVOICE_NO" all work). Unknown columns (transaction
 * type, aging buckets, memo…) are ignored. When several headers name the same field, the one listed
 * first below wins and the others are ignored (so "Due Date" beats "Due").
 *
 * | Field          | Required | Headers recognised                                                    |
 * | -------------- | -------- | --------------------------------------------------------------------- |
 * | invoice number | yes      | Invoice Number, Invoice No, Invoice #, Invoice, Doc Number,           |
 * |                |          | Document No, Document Number, Num                                     |
 * | customer       | yes      | Customer, Customer Name, Client, Account Name, Bill To, Contact,      |
 * |                |          | Contact Name, Name, Account                                           |
 * | customer id    | no       | Customer ID, Account ID, Customer Number, CRM ID                      |
 * | invoice date   | yes      | Invoice Date, Issue Date, Txn Date, Doc Date, Issued, Date            |
 * | due date       | yes      | Due Date, Payment Due, Due On, Due                                    |
 * | amount         | yes      | Invoice Amount, Original Amount, Orig. Amount, Amount, Total          |
 * | balance        | yes      | Open Balance, Balance Due, Amount Due, Open Amount, Amount Remaining, |
 * |                |          | Balance, Outstanding                                                  |
 * | currency       | no       | Currency, Curr, CCY (when absent or empty: `--currency`, default USD) |
 * | status         | no       | Status, Invoice Status: open, paid (or Closed), void (or Voided)      |
 * | deal id        | no       | Deal ID, Opportunity ID                                               |
 * | invoice link   | no       | Invoice URL, Invoice Link, URL, Link, Hosted Invoice URL (http/https) |
 *
 * Values:
 * - Amounts are decimals in the row's currency, converted exactly to minor units: "1,234.50",
 *   "$1,234.50", "1234.5"; a leading $ € £ ¥ is allowed (€ only for EUR, £ for GBP, ¥ for JPY or
 *   CNY). Negative amounts, written "-12.00", "(12.00)" or "12.00-", are refused: credit notes are not
 *   invoices. More decimals than the currency has ("12.345" in USD) are refused, never rounded.
 * - Dates are `YYYY-MM-DD` unless `--date-format` names another: MM/DD/YYYY, M/D/YYYY, DD/MM/YYYY,
 *   D/M/YYYY, DD.MM.YYYY, D.M.YYYY, YYYY/MM/DD or D MMM YYYY ("7 Nov 2026", as Xero writes them; day
 *   and month may have one or two digits in all of
 *   these but the ISO default). Impossible days (02/30/2026) are refused.
 * - The rules of `POST /api/invoices` hold: the balance is at most the amount, the due date is not
 *   before the invoice date, a paid invoice has no balance, the currency is ISO 4217, and an invoice
 *   number appears once per file. A customer cell may be empty when the row has a customer id.
 * - Fully blank lines are skipped. A value past the header's last column is a problem (usually a
 *   comma inside an unquoted value); missing trailing cells count as empty.
 *
 * A problem is reported as `row R, column C (Header): message`, R being the line in the file (the
 * header is line 1, a quoted value spanning lines counts every line) and C the 1-based column.
 */
import { CsvError, lineBreaks, parseCsv } from './csv.ts';
import { parseDecimalAmount } from './decimal.ts';
import { type InvoiceInput, isInvoiceUrl } from './invoice-input.ts';
import { isCurrencyCode, minorDigits } from './money.ts';

export type InvoiceField =
  | 'number'
  | 'customer'
  | 'customerId'
  | 'issuedOn'
  | 'dueOn'
  | 'amount'
  | 'balance'
  | 'currency'
  | 'status'
  | 'dealId'
  | 'url';

export interface ColumnSpec {
  readonly field: InvoiceField;
  /** How problems name the field: "invoice date". */
  readonly label: string;
  readonly required: boolean;
  /** Recognised headers, best first. */
  readonly headers: readonly string[];
}

/** The table above, as data. */
export const INVOICE_COLUMNS: readonly ColumnSpec[] = [
  {
    field: 'number',
    label: 'invoice number',
    required: true,
    headers: [
      'Invoice Number',
      'Invoice No',
      'Invoice #',
      'Invoice',
      'Doc Number',
      'Document No',
      'Document Number',
      'Num',
    ],
  },
  {
    field: 'customer',
    label: 'customer',
    required: true,
    headers: [
      'Customer',
      'Customer Name',
      'Client',
      'Account Name',
      'Bill To',
      'Contact',
      'Contact Name',
      'Name',
      'Account',
    ],
  },
  {
    field: 'customerId',
    label: 'customer id',
    required: false,
    headers: ['Customer ID', 'Account ID', 'Customer Number', 'CRM ID'],
  },
  {
    field: 'issuedOn',
    label: 'invoice date',
    required: true,
    headers: ['Invoice Date', 'Issue Date', 'Txn Date', 'Doc Date', 'Issued', 'Date'],
  },
  {
    field: 'dueOn',
    label: 'due date',
    required: true,
    headers: ['Due Date', 'Payment Due', 'Due On', 'Due'],
  },
  {
    field: 'amount',
    label: 'amount',
    required: true,
    headers: ['Invoice Amount', 'Original Amount', 'Orig. Amount', 'Amount', 'Total'],
  },
  {
    field: 'balance',
    label: 'balance',
    required: true,
    headers: [
      'Open Balance',
      'Balance Due',
      'Amount Due',
      'Open Amount',
      'Amount Remaining',
      'Balance',
      'Outstanding',
    ],
  },
  { field: 'currency', label: 'currency', required: false, headers: ['Currency', 'Curr', 'CCY'] },
  { field: 'status', label: 'status', required: false, headers: ['Status', 'Invoice Status'] },
  { field: 'dealId', label: 'deal id', required: false, headers: ['Deal ID', 'Opportunity ID'] },
  {
    field: 'url',
    label: 'invoice link',
    required: false,
    headers: ['Invoice URL', 'Invoice Link', 'URL', 'Link', 'Hosted Invoice URL'],
  },
];

/** A header compared without case, spaces or punctuation: "Invoice #" → "invoice", "Orig. Amount" → "origamount". */
export function headerKey(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

const byKey = new Map<string, { field: InvoiceField; rank: number }>();
for (const spec of INVOICE_COLUMNS)
  for (const [rank, header] of spec.headers.entries())
    byKey.set(headerKey(header), { field: spec.field, rank });

/** Headers a report layout reads differently (Xero's "Total" is what is still due): they win over the table. */
export type ColumnAliases = Readonly<Partial<Record<InvoiceField, readonly string[]>>>;

function withAliases(aliases: ColumnAliases): Map<string, { field: InvoiceField; rank: number }> {
  const keys = new Map(byKey);
  for (const [field, headers] of Object.entries(aliases) as [InvoiceField, readonly string[]][])
    for (const [rank, header] of headers.entries()) keys.set(headerKey(header), { field, rank: rank - 100 });
  return keys;
}

/** The field a header names (with a layout's aliases), or undefined. */
export function fieldOfHeader(header: string, aliases?: ColumnAliases): InvoiceField | undefined {
  return (aliases ? withAliases(aliases) : byKey).get(headerKey(header))?.field;
}

export interface Column {
  /** 0-based position in the record. */
  readonly index: number;
  /** The header as the file writes it. */
  readonly header: string;
}

export type ColumnMap = Readonly<Partial<Record<InvoiceField, Column>>>;

/** Which column holds which field, or a file-level problem naming the missing fields and the headers found. */
export function recognizeColumns(
  header: readonly string[],
  aliases?: ColumnAliases,
): { ok: true; columns: ColumnMap } | { ok: false; problem: string } {
  const keys = aliases ? withAliases(aliases) : byKey;
  const best = new Map<InvoiceField, { column: Column; rank: number }>();
  for (const [index, text] of header.entries()) {
    const match = keys.get(headerKey(text));
    if (!match) continue;
    const current = best.get(match.field);
    if (!current || match.rank < current.rank)
      best.set(match.field, { column: { index, header: text.trim() }, rank: match.rank });
  }
  const missing = INVOICE_COLUMNS.filter((spec) => spec.required && !best.has(spec.field));
  if (missing.length > 0) {
    const found = header.map((h) => h.trim()).filter(Boolean);
    return {
      ok: false,
      problem:
        `no ${missing.map((spec) => `${spec.label} column (one of: ${spec.headers.join(', ')})`).join('; no ')}. ` +
        `The header row has: ${found.length > 0 ? found.map((h) => `"${h}"`).join(', ') : 'no names'}` +
        (best.size === 0
          ? ' (the first non-blank line must name the columns: remove report titles above it)'
          : ''),
    };
  }
  return { ok: true, columns: Object.fromEntries([...best].map(([field, { column }]) => [field, column])) };
}

// ---------------------------------------------------------------------------------------------------
// Dates

export const DATE_FORMATS = [
  'YYYY-MM-DD',
  'MM/DD/YYYY',
  'M/D/YYYY',
  'DD/MM/YYYY',
  'D/M/YYYY',
  'DD.MM.YYYY',
  'D.M.YYYY',
  'YYYY/MM/DD',
  'D MMM YYYY',
] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

const DAY_MONTH = String.raw`(\d{1,2})`;
/** English month abbreviations, as Xero writes dates ("7 Nov 2026"). */
export const MONTH_NAMES = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];
const datePatterns: Record<DateFormat, { pattern: RegExp; order: 'ymd' | 'mdy' | 'dmy' }> = {
  'YYYY-MM-DD': { pattern: /^(\d{4})-(\d{2})-(\d{2})$/, order: 'ymd' },
  'MM/DD/YYYY': { pattern: new RegExp(`^${DAY_MONTH}/${DAY_MONTH}/(\\d{4})$`), order: 'mdy' },
  'M/D/YYYY': { pattern: new RegExp(`^${DAY_MONTH}/${DAY_MONTH}/(\\d{4})$`), order: 'mdy' },
  'DD/MM/YYYY': { pattern: new RegExp(`^${DAY_MONTH}/${DAY_MONTH}/(\\d{4})$`), order: 'dmy' },
  'D/M/YYYY': { pattern: new RegExp(`^${DAY_MONTH}/${DAY_MONTH}/(\\d{4})$`), order: 'dmy' },
  'DD.MM.YYYY': { pattern: new RegExp(`^${DAY_MONTH}\\.${DAY_MONTH}\\.(\\d{4})$`), order: 'dmy' },
  'D.M.YYYY': { pattern: new RegExp(`^${DAY_MONTH}\\.${DAY_MONTH}\\.(\\d{4})$`), order: 'dmy' },
  'YYYY/MM/DD': { pattern: new RegExp(`^(\\d{4})/${DAY_MONTH}/${DAY_MONTH}$`), order: 'ymd' },
  'D MMM YYYY': {
    pattern: new RegExp(`^${DAY_MONTH} (${MONTH_NAMES.join('|')}) (\\d{4})$`, 'i'),
    order: 'dmy',
  },
};

/** A `--date-format` value, in any case ("mm/dd/yyyy"), or null when it is not one we read. */
export function parseDateFormat(text: string): DateFormat | null {
  const wanted = text.trim().toUpperCase();
  return DATE_FORMATS.find((f) => f === wanted) ?? null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** A day written in `format` as 'YYYY-MM-DD'; impossible days (February 30th) are problems. */
/**
 * Whether the day exists, as `Date.UTC` would tell (which reads years 0 to 99 as 1900 to 1999, so
 * that those are not real here either), without making a Date for it.
 */
function isRealDay(year: number, month: number, day: number): boolean {
  if (year < 100 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 ? (leap ? 29 : 28) : (DAYS_IN_MONTH[month - 1] as number));
}
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function parseDay(text: string, format: DateFormat): Parsed<string> {
  const value = text.trim();
  if (value === '') return { ok: false, message: `must be a date written ${format}` };
  const { pattern, order } = datePatterns[format];
  const match = pattern.exec(value);
  if (!match) {
    const hint = format === 'YYYY-MM-DD' ? ' (name another format with --date-format)' : '';
    return { ok: false, message: `must be a date written ${format}${hint}, got ${quote(value)}` };
  }
  const a = match[1] as string;
  const b = match[2] as string;
  const c = match[3] as string;
  const y = order === 'ymd' ? a : c;
  const named = order === 'dmy' ? b : order === 'mdy' ? a : b;
  const d = order === 'ymd' ? c : order === 'mdy' ? b : a;
  const m =
    format === 'D MMM YYYY'
      ? String(MONTH_NAMES.findIndex((n) => n.toLowerCase() === named.toLowerCase()) + 1)
      : named;
  if (!isRealDay(Number(y), Number(m), Number(d)))
    return { ok: false, message: `is not a real date (${format}), got ${quote(value)}` };
  return { ok: true, value: `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}` };
}

// ---------------------------------------------------------------------------------------------------
// Amounts

const SYMBOLS: Record<string, readonly string[] | null> = {
  $: null,
  '€': ['EUR'],
  '£': ['GBP'],
  '¥': ['JPY', 'CNY'],
};
const DIGITS = /^(?:(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?|\.(\d+))$/;

/**
 * An amount as an export writes it ("1,234.50", "$1,234.50", "(12.00)", "1500") in `currency`'s
 * minor units, exactly (no floating point). Negative amounts, extra decimals and misplaced
 * thousands separators are problems.
 */
export function parseAmount(text: string, currency: string): Parsed<number> {
  let rest = text.trim();
  if (rest === '') return { ok: false, message: 'must not be empty' };
  let negative = false;
  if (rest.startsWith('(') && rest.endsWith(')')) {
    negative = true;
    rest = rest.slice(1, -1).trim();
  }
  if (rest.endsWith('-')) {
    negative = true;
    rest = rest.slice(0, -1).trim();
  }
  let symbol: string | null = null;
  for (let i = 0; i < 2; i++) {
    if (rest.startsWith('-') || rest.startsWith('+')) {
      negative ||= rest.startsWith('-');
      rest = rest.slice(1).trim();
    }
    const first = rest.charAt(0);
    if (symbol === null && first in SYMBOLS) {
      symbol = first;
      rest = rest.slice(1).trim();
    }
  }
  const match = DIGITS.exec(rest);
  if (!match) return { ok: false, message: `must be an amount such as 1,234.50, got ${quote(text.trim())}` };
  const [, whole = '0', fraction = '', bareFraction] = match;
  const decimal = `${whole.replaceAll(',', '')}.${bareFraction ?? fraction}`;
  const digits = digitsOf(currency);
  const minor = parseDecimalAmount(decimal, digits);
  if (minor === null) {
    const decimals = (bareFraction ?? fraction).replace(/0+$/, '').length;
    return decimals > digits
      ? {
          ok: false,
          message: `has more decimals than ${currency} allows (${digits}), got ${quote(text.trim())}`,
        }
      : { ok: false, message: `is too large, got ${quote(text.trim())}` };
  }
  if (negative && minor !== 0)
    return {
      ok: false,
      message: `must not be negative (credit notes are not invoices), got ${quote(text.trim())}`,
    };
  const allowed = symbol === null ? null : SYMBOLS[symbol];
  if (symbol !== null && allowed && !allowed.includes(currency))
    return { ok: false, message: `is written in ${symbol} but the currency is ${currency}` };
  return { ok: true, value: minor };
}

/**
 * `minorDigits` per currency, remembered: it asks Intl every time, which is most of the cost of
 * reading 100,000 amounts. Same answer as `decimalToMinor`, which is `parseDecimalAmount(text, minorDigits(c))`.
 */
const digitsByCurrency = new Map<string, number>();
function digitsOf(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = minorDigits(currency);
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

// ---------------------------------------------------------------------------------------------------
// Rows

const STATUSES = {
  '': undefined,
  open: 'open',
  paid: 'paid',
  closed: 'paid',
  void: 'void',
  voided: 'void',
} as const satisfies Record<string, InvoiceInput['status']>;

/**
 * Each cell is read by a parser of its own, so a bad value names its own column. Plain functions
 * (they were zod schemas, a few microseconds a cell: most of the cost of checking a large file).
 */
type CellParser<T> = (value: string) => Parsed<T>;

const text =
  (max: number, nonEmpty = false): CellParser<string> =>
  (value) => {
    const v = value.trim();
    if (v.length > max) return { ok: false, message: `must be at most ${max} characters` };
    if (nonEmpty && v === '') return { ok: false, message: 'must not be empty' };
    return { ok: true, value: v };
  };

const STATUS_NAMES = new Set<string>(Object.keys(STATUSES));

const cells = {
  number: text(200, true),
  customer: text(300),
  customerId: text(200),
  dealId: text(200),
  url: (value: string): Parsed<string> => {
    const v = value.trim();
    return v === '' || isInvoiceUrl(v)
      ? { ok: true, value: v }
      : { ok: false, message: 'must be an http or https link' };
  },
  currency: (value: string): Parsed<string> => {
    const v = value.trim().toUpperCase();
    return isCurrencyCode(v)
      ? { ok: true, value: v }
      : { ok: false, message: 'must be an ISO 4217 currency code such as USD' };
  },
  status: (value: string): Parsed<InvoiceInput['status']> => {
    const v = value.trim().toLowerCase();
    return STATUS_NAMES.has(v)
      ? { ok: true, value: STATUSES[v as keyof typeof STATUSES] }
      : { ok: false, message: 'must be open, paid or void' };
  },
} as const;

function raw(record: readonly string[], column: Column | undefined): string {
  return column ? (record[column.index] ?? '').trim() : '';
}

const dayParsers = new Map(
  DATE_FORMATS.map((format): [DateFormat, CellParser<string>] => [format, (v) => parseDay(v, format)]),
);
const amountParsers = new Map<string, CellParser<number>>();
function amountParser(currency: string): CellParser<number> {
  let parser = amountParsers.get(currency);
  if (!parser) {
    parser = (v) => parseAmount(v, currency);
    amountParsers.set(currency, parser);
  }
  return parser;
}

export interface InvoiceCsvOptions {
  /** How dates are written; default 'YYYY-MM-DD'. */
  readonly dateFormat?: DateFormat;
  /** For rows without a currency cell; an ISO 4217 code, default 'USD'. */
  readonly currency?: string;
  /** Headers read as another field than the table says (a report layout's own names). */
  readonly aliases?: ColumnAliases;
  /**
   * Whether the reader finds invoice numbers given twice (default true), keeping every number it
   * has read. False when the rows are staged in a database table that finds them (see
   * `takeStaged` and `finish`), so that a file of any length is read in bounded memory.
   */
  readonly findDuplicates?: boolean;
}

/** An invoice number given again: on `line`, first on `firstLine`. */
export interface DuplicateNumber {
  readonly line: number;
  readonly number: string;
  readonly firstLine: number;
}

/** What `takeStaged` hands over: the valid rows with their lines, and the numbers of the other rows. */
export interface StagedRead {
  readonly rows: InvoiceInput[];
  /** The line of each row in `rows`. */
  readonly lines: number[];
  /** The rows not handed over (bad rows, and every row once the file is rejected) whose number reads. */
  readonly numbers: { line: number; number: string }[];
  /** Whether a row was bad: the file will be rejected, and `rows` stays empty from now on. */
  readonly rejected: boolean;
}

export interface CsvProblem {
  /** Line in the file, 1-based (the header is line 1). */
  readonly row: number;
  /** 1-based. */
  readonly column: number;
  /** The column's header as the file writes it; null past the header's last column. */
  readonly header: string | null;
  readonly message: string;
}

export type InvoiceCsvResult =
  | { ok: true; rows: InvoiceInput[] }
  | {
      ok: false;
      /** Set when the file cannot be read as an aging export at all (no header, missing columns). */
      fileProblem: string | null;
      /** Every bad cell, in file order. */
      problems: CsvProblem[];
    };

export interface InvoiceCsvReader {
  /**
   * One CSV record (as src/domain/csv.ts gives it, cells untrimmed), in file order; the first non-blank one
   * is the header. `line` is where it starts in the file, when the caller skipped lines (a report's
   * title and total rows); otherwise it is counted here.
   */
  push(record: readonly string[], line?: number): void;
  /**
   * The valid rows read since the last call, handed over (so a long file is written as it streams,
   * in bounded memory); empty once any row was bad, since the file is then rejected whole.
   */
  take(): InvoiceInput[];
  /** `take`, with each row's line and the numbers of the rows not handed over (for `findDuplicates: false`). */
  takeStaged(): StagedRead;
  /**
   * The rows not yet taken, or every problem; with `findDuplicates: false`, the duplicates found
   * where the rows were staged are problems too, in file order with the others.
   */
  finish(duplicates?: readonly DuplicateNumber[]): InvoiceCsvResult;
}

/**
 * Reads an export record by record (so a large file can be streamed), checking every cell; one bad
 * row rejects the file, and every problem is kept.
 */
export function createInvoiceCsvReader(options: InvoiceCsvOptions = {}): InvoiceCsvReader {
  const dateFormat = options.dateFormat ?? 'YYYY-MM-DD';
  const fallbackCurrency = options.currency ?? 'USD';
  if (!isCurrencyCode(fallbackCurrency))
    throw new RangeError(`Not an ISO 4217 currency: ${fallbackCurrency}`);
  const day = dayParsers.get(dateFormat) as CellParser<string>;
  let line = 1;
  let columns: ColumnMap | null = null;
  let headerLength = 0;
  let fileProblem: string | null = null;
  const problems: CsvProblem[] = [];
  let rows: InvoiceInput[] = [];
  let lines: number[] = [];
  let numbers: { line: number; number: string }[] = [];
  let accepted = 0;
  const findDuplicates = options.findDuplicates ?? true;
  const seen = new Map<string, number>();

  const push = (record: readonly string[], at?: number) => {
    const row = at ?? line;
    line = row + 1 + lineBreaks(record);
    if (fileProblem !== null || record.every((cell) => cell.trim() === '')) return;
    if (columns === null) {
      const recognized = recognizeColumns(record, options.aliases);
      if (recognized.ok) {
        columns = recognized.columns;
        headerLength = record.length;
      } else fileProblem = recognized.problem;
      return;
    }
    const rowProblems: CsvProblem[] = [];
    const cols = columns;
    const problem = (field: InvoiceField, message: string) => {
      const column = cols[field] as Column;
      rowProblems.push({ row, column: column.index + 1, header: column.header, message });
    };
    const cell = <T>(field: InvoiceField, parse: CellParser<T>): T | undefined => {
      const column = cols[field];
      if (!column) return undefined;
      const parsed = parse(record[column.index] ?? '');
      if (parsed.ok) return parsed.value;
      problem(field, parsed.message);
      return undefined;
    };

    const extra = record.findIndex((value, i) => i >= headerLength && value.trim() !== '');
    if (extra !== -1) {
      rowProblems.push({
        row,
        column: extra + 1,
        header: null,
        message: `has a value past the last column of the header, got ${quote(
          (record[extra] as string).trim(),
        )} (is there a comma inside an unquoted value?)`,
      });
    }
    const number = cell('number', cells.number);
    const customer = cell('customer', cells.customer) ?? '';
    const customerId = cell('customerId', cells.customerId) ?? '';
    if (raw(record, cols.customer) === '' && raw(record, cols.customerId) === '')
      problem(
        'customer',
        cols.customerId ? 'must not be empty (or give a customer id)' : 'must not be empty',
      );
    const issuedOn = cell('issuedOn', day);
    const dueOn = cell('dueOn', day);
    const currency = raw(record, cols.currency) === '' ? fallbackCurrency : cell('currency', cells.currency);
    const amount = currency ? cell('amount', amountParser(currency)) : undefined;
    const balance = currency ? cell('balance', amountParser(currency)) : undefined;
    const status = cell('status', cells.status);
    const dealId = cell('dealId', cells.dealId) ?? '';
    const url = cell('url', cells.url) ?? '';

    if (amount !== undefined && balance !== undefined && balance > amount)
      problem('balance', 'must not be more than the amount');
    if (issuedOn !== undefined && dueOn !== undefined && dueOn < issuedOn)
      problem('dueOn', `must not be before the invoice date (${issuedOn})`);
    if (status === 'paid' && balance !== undefined && balance > 0)
      problem('status', 'is paid but the balance is not 0');
    if (number !== undefined && findDuplicates) {
      const first = seen.get(number);
      if (first !== undefined) problem('number', `${number} is also on row ${first}`);
      else seen.set(number, row);
    }

    if (rowProblems.length > 0 || problems.length > 0) {
      problems.push(...rowProblems.sort((a, b) => a.column - b.column));
      // The file is rejected anyway: keep checking, stop collecting (but the number, for duplicates).
      if (number !== undefined && !findDuplicates) numbers.push({ line: row, number });
      return;
    }
    accepted += 1;
    lines.push(row);
    rows.push({
      number: number as string,
      account: { crmId: customerId || null, name: customer || null },
      amountCents: amount as number,
      balanceCents: balance as number,
      currency: currency as string,
      issuedOn: issuedOn as string,
      dueOn: dueOn as string,
      ...(status ? { status } : {}),
      dealCrmId: dealId || null,
      ...(url ? { url } : {}),
    });
  };

  const finish = (duplicates: readonly DuplicateNumber[] = []): InvoiceCsvResult => {
    if (fileProblem !== null) return { ok: false, fileProblem, problems: [] };
    if (columns === null)
      return {
        ok: false,
        fileProblem: 'the file is empty: expected a header row, then one invoice per row',
        problems: [],
      };
    if (duplicates.length > 0) {
      const column = columns.number as Column;
      const found = duplicates.map((d) => ({
        row: d.line,
        column: column.index + 1,
        header: column.header,
        message: `${d.number} is also on row ${d.firstLine}`,
      }));
      // In file order, as if the reader had found them: by row, then column (a stable sort).
      const all = [...problems, ...found].sort((a, b) => a.row - b.row || a.column - b.column);
      return { ok: false, fileProblem: null, problems: all };
    }
    if (problems.length > 0) return { ok: false, fileProblem: null, problems };
    if (accepted === 0)
      return { ok: false, fileProblem: 'the file has a header row but no invoices', problems: [] };
    return { ok: true, rows: take() };
  };

  const take = (): InvoiceInput[] => takeStaged().rows;

  const takeStaged = (): StagedRead => {
    const rejected = problems.length > 0 || fileProblem !== null;
    // Rows read before the file was found bad are not handed over either: their numbers are.
    if (rejected && rows.length > 0 && !findDuplicates)
      numbers = [...rows.map((r, i) => ({ line: lines[i] as number, number: r.number })), ...numbers];
    const taken = { rows: rejected ? [] : rows, lines: rejected ? [] : lines, numbers, rejected };
    rows = [];
    lines = [];
    numbers = [];
    return taken;
  };

  return { push, take, takeStaged, finish };
}

/** The whole export as text (tests, small files); large files go through `createInvoiceCsvReader`. */
export function parseInvoiceCsv(csv: string, options: InvoiceCsvOptions = {}): InvoiceCsvResult {
  let records: string[][];
  try {
    records = parseCsv(csv);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    return { ok: false, fileProblem: `not readable as CSV: ${error.message}`, problems: [] };
  }
  const reader = createInvoiceCsvReader(options);
  for (const record of records) reader.push(record);
  return reader.finish();
}

/** `row R, column C (Header): message`. */
export function describeProblem(p: CsvProblem): string {
  return `row ${p.row}, column ${p.column}${p.header ? ` (${p.header})` : ''}: ${p.message}`;
}

/** At most `limit` problems, then "…and N more". */
export function describeProblems(problems: readonly CsvProblem[], limit = 100): string[] {
  const shown = problems.slice(0, limit).map(describeProblem);
  if (problems.length > limit) shown.push(`…and ${problems.length - limit} more`);
  return shown;
}
