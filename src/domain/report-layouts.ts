/**
 * Accounting report exports as their products write them, read without edits. Pure: records in
 * (as src/domain/csv.ts or an XLSX reader gives them), invoices or every problem out, and which layout was
 * recognised.
 *
 * | Layout                                   | Recognised by (title rows above the header) | Customer from        |
 * | ---------------------------------------- | -------------------------------------------- | -------------------- |
 * | flat CSV                                 | the first non-blank row names the columns    | its column           |
 * | QuickBooks Online "A/R Aging Detail"     | a title row "A/R Aging Detail"               | the Customer column  |
 * | QuickBooks Online "Open Invoices"        | a title row "Open Invoices"                  | the section rows     |
 * | Xero "Aged Receivables Detail"           | a title row "Aged Receivables Detail"        | the contact rows     |
 *
 * In a report, after the header:
 * - blank lines, section rows (one label in the first column: `1 - 30 days past due`, a customer, a
 *   contact), `Total for …` / `Total <contact>` rows, the grand total (`TOTAL`, `Total`) and anything
 *   after it (QuickBooks' footer timestamp) are skipped;
 * - QuickBooks `Customer:Sub-customer` names are the parent customer's account;
 * - QuickBooks rows whose Transaction Type is not Invoice (Payment, Credit Memo, Journal Entry…) and
 *   Xero rows with a negative amount due (credit notes, overpayments) are skipped and reported by row;
 * - dates are QuickBooks' MM/DD/YYYY and Xero's `7 Nov 2026` unless `--date-format` says otherwise;
 * - Xero's `Total` column is the amount still due; its optional `Invoice Total` column the amount.
 *   A report without an amount column (Open Invoices by default, Xero by default) takes the open
 *   balance as the amount.
 * Problems keep the row numbers of the original file.
 */

import { lineBreaks } from './csv.ts';
import {
  type ColumnAliases,
  type CsvProblem,
  createInvoiceCsvReader,
  type DateFormat,
  type DuplicateNumber,
  fieldOfHeader,
  headerKey,
  type InvoiceCsvResult,
  MONTH_NAMES,
  recognizeColumns,
  type StagedRead,
} from './invoice-csv.ts';
import type { InvoiceInput } from './invoice-input.ts';

export type LayoutId =
  | 'flat'
  | 'quickbooks-aging-detail'
  | 'quickbooks-open-invoices'
  | 'xero-aged-receivables';

interface Layout {
  readonly id: LayoutId;
  /** How the import names it: `QuickBooks Online "A/R Aging Detail" report`. */
  readonly name: string;
  /** The title row that announces it (compared without case or punctuation). */
  readonly title: string | null;
  readonly dateFormat: DateFormat;
  readonly aliases: ColumnAliases;
  /** The customer is the label of the section row above (no customer column). */
  readonly customerFromSection: boolean;
  /** Whether a row starting with this text is a subtotal (`Total for Acme`) rather than data. */
  readonly isTotal: (first: string) => boolean;
  readonly isGrandTotal: (first: string) => boolean;
  /** Why a data row is not an invoice (so it is skipped), or null. */
  readonly notAnInvoice: (cell: (header: string) => string) => string | null;
  readonly parentCustomer: boolean;
}

const quickBooksNotInvoice = (cell: (header: string) => string): string | null => {
  const type = cell('Transaction Type');
  return type === '' || headerKey(type) === 'invoice' ? null : `${type}, not an invoice`;
};

const quickBooks = {
  dateFormat: 'MM/DD/YYYY',
  isTotal: (first: string) => /^Total for /i.test(first),
  isGrandTotal: (first: string) => first.trim().toUpperCase() === 'TOTAL',
  notAnInvoice: quickBooksNotInvoice,
  parentCustomer: true,
} as const;

export const LAYOUTS: readonly Layout[] = [
  {
    id: 'quickbooks-aging-detail',
    name: 'QuickBooks Online "A/R Aging Detail" report',
    title: 'A/R Aging Detail',
    aliases: {},
    customerFromSection: false,
    ...quickBooks,
  },
  {
    id: 'quickbooks-open-invoices',
    name: 'QuickBooks Online "Open Invoices" report',
    title: 'Open Invoices',
    aliases: {},
    customerFromSection: true,
    ...quickBooks,
  },
  {
    id: 'xero-aged-receivables',
    name: 'Xero "Aged Receivables Detail" report',
    title: 'Aged Receivables Detail',
    dateFormat: 'D MMM YYYY',
    aliases: {
      number: ['Invoice Number', 'Number'],
      issuedOn: ['Invoice Date', 'Date'],
      amount: ['Invoice Total', 'Gross'],
      balance: ['Total', 'Due', 'Amount Due'],
    },
    customerFromSection: true,
    isTotal: (first) => /^Total /i.test(first),
    isGrandTotal: (first) => first.trim() === 'Total',
    notAnInvoice: (cell) => {
      const due = cell('Total') || cell('Due') || cell('Amount Due');
      return /^\s*(-|\()/.test(due)
        ? 'a credit note or overpayment (negative amount due), not an invoice'
        : null;
    },
    parentCustomer: false,
  },
];

const FLAT: Layout = {
  id: 'flat',
  name: 'flat CSV (one invoice per row under a header row)',
  title: null,
  dateFormat: 'YYYY-MM-DD',
  aliases: {},
  customerFromSection: false,
  isTotal: () => false,
  isGrandTotal: () => false,
  notAnInvoice: () => null,
  parentCustomer: false,
};

/** Rows above the header that are not titles mean this is no report we know. */
const MAX_TITLE_ROWS = 8;
const SECTION_CUSTOMER = 'Customer';
const COPIED_AMOUNT = 'Amount';

export interface SkippedRow {
  readonly row: number;
  readonly reason: string;
}

export type ReportResult = InvoiceCsvResult & {
  /** The layout recognised, named for people; null when none was. */
  layout: string | null;
  /** Data rows that are not invoices, by row. */
  skipped: SkippedRow[];
};

export interface ReportReader {
  /**
   * One record as the file has it (CSV text, or XLSX cells: numbers and dates are written as the
   * export would); the line count is kept here (a record may span several lines).
   */
  push(record: readonly unknown[]): void;
  /**
   * The valid invoice rows read since the last call, handed over (so a long file is written as it
   * streams); empty once any row was bad, since the file is then rejected whole.
   */
  take(): InvoiceInput[];
  /** `take` with the rows' lines, and the numbers of the rows not handed over (for `findDuplicates: false`). */
  takeStaged(): StagedRead;
  /** The rows not yet taken, or every problem (with the duplicates found where the rows were staged). */
  finish(duplicates?: readonly DuplicateNumber[]): ReportResult;
}

export interface ReportOptions {
  /** As given on the command line; when absent, the layout's own. */
  readonly dateFormat?: DateFormat;
  readonly currency?: string;
  /** See InvoiceCsvOptions.findDuplicates (default true). */
  readonly findDuplicates?: boolean;
}

function nonBlank(record: readonly string[]): number[] {
  const filled: number[] = [];
  record.forEach((cell, i) => {
    if (cell.trim() !== '') filled.push(i);
  });
  return filled;
}

function lookedFor(): string {
  return (
    'the first rows are neither a header naming the invoice columns (invoice number, customer, ' +
    'invoice date, due date, amount, balance) nor the title of a report AR Bridge reads: ' +
    LAYOUTS.map((l) => `"${l.title}" (${l.name})`).join(', ')
  );
}

/**
 * Reads a flat export or a report (see the table above), streaming: the header is found after the
 * title rows, then each data row goes to the invoice reader with its line in the file.
 */
export function createReportReader(options: ReportOptions = {}): ReportReader {
  let line = 1;
  let layout: Layout | null = null;
  let titleRows = 0;
  let inner: ReturnType<typeof createInvoiceCsvReader> | null = null;
  let header: string[] = [];
  let fileProblem: string | null = null;
  let section = '';
  let ended = false;
  let appendCustomer = false;
  let copyAmountFrom = -1;
  let firstRow: readonly string[] | null = null;
  const skipped: SkippedRow[] = [];
  /** Where a column is in the header, by name as the layouts write it (looked up once per name). */
  const columns = new Map<string, number>();
  const columnOf = (name: string): number => {
    let i = columns.get(name);
    if (i === undefined) {
      const key = headerKey(name);
      i = header.findIndex((h) => headerKey(h) === key);
      columns.set(name, i);
    }
    return i;
  };

  const start = (record: readonly string[]): boolean => {
    const candidate = layout ?? FLAT;
    const recognized = recognizeColumns(withSynthetic(candidate, record), candidate.aliases);
    if (!recognized.ok) return false;
    layout = candidate;
    header = [...record];
    inner = createInvoiceCsvReader({
      dateFormat: options.dateFormat ?? candidate.dateFormat,
      ...(options.currency ? { currency: options.currency } : {}),
      aliases: candidate.aliases,
      ...(options.findDuplicates === false ? { findDuplicates: false } : {}),
    });
    const full = withSynthetic(candidate, record);
    appendCustomer = full.length > record.length && full.includes(SECTION_CUSTOMER);
    copyAmountFrom = full.at(-1) === COPIED_AMOUNT ? (recognized.columns.balance?.index ?? -1) : -1;
    inner.push(full, line);
    return true;
  };

  /** A report's header, with the columns it implies: the section rows' customer, the amount as the balance. */
  const withSynthetic = (candidate: Layout, record: readonly string[]): string[] => {
    const full = [...record];
    if (candidate.id === 'flat') return full;
    if (candidate.customerFromSection) full.push(SECTION_CUSTOMER);
    if (!record.some((h) => fieldOfHeader(h, candidate.aliases) === 'amount')) full.push(COPIED_AMOUNT);
    return full;
  };

  const push = (cells: readonly unknown[]) => {
    const format = options.dateFormat ?? (layout as Layout | null)?.dateFormat ?? 'YYYY-MM-DD';
    const record = cells.map((c) => (typeof c === 'string' ? c : xlsxCellText(c, format)));
    const row = line;
    const filled = nonBlank(record);
    try {
      if (fileProblem !== null || ended || filled.length === 0) return;
      if (inner === null) {
        if (start(record)) return;
        firstRow ??= record;
        const title = filled.length <= 2 ? headerKey(record[filled[0] as number] as string) : null;
        const known = title === null ? undefined : LAYOUTS.find((l) => headerKey(l.title ?? '') === title);
        if (known && layout === null) layout = known;
        titleRows += 1;
        if (title === null || titleRows > MAX_TITLE_ROWS) {
          const found = layout as Layout | null;
          const flat = recognizeColumns(found === null ? firstRow : record, found?.aliases);
          const why = flat.ok ? '' : flat.problem;
          fileProblem =
            found === null
              ? `${why}. Also, ${lookedFor()}`
              : `${found.name}: no header row with the columns it needs: ${why}`;
        }
        return;
      }
      const current = layout as Layout;
      if (current.id === 'flat') {
        inner.push(record, row);
        return;
      }
      const first = (record[0] ?? '').trim();
      if (filled.length === 1 && filled[0] === 0) {
        if (current.isGrandTotal(first)) ended = true;
        else if (!current.isTotal(first))
          section = current.parentCustomer ? (first.split(':')[0] ?? '').trim() : first;
        return;
      }
      if (current.isGrandTotal(first)) {
        ended = true;
        return;
      }
      if (current.isTotal(first)) return;
      const cell = (name: string) => {
        const i = columnOf(name);
        return i === -1 ? '' : (record[i] ?? '').trim();
      };
      const reason = current.notAnInvoice(cell);
      if (reason !== null) {
        skipped.push({ row, reason });
        return;
      }
      const cells = [...record];
      while (cells.length < header.length) cells.push('');
      if (current.parentCustomer) {
        const i = columnOf('customer');
        if (i !== -1) cells[i] = (cells[i] ?? '').split(':')[0]?.trim() ?? '';
      }
      if (appendCustomer) cells.push(section);
      if (copyAmountFrom !== -1) cells.push(cells[copyAmountFrom] ?? '');
      inner.push(cells, row);
    } finally {
      line = row + 1 + lineBreaks(record);
    }
  };

  const finish = (duplicates?: readonly DuplicateNumber[]): ReportResult => {
    const name = layout === null ? null : (layout as Layout).name;
    if (fileProblem !== null) return { ok: false, fileProblem, problems: [], layout: name, skipped };
    if (inner === null)
      return {
        ok: false,
        fileProblem: 'the file is empty: expected a header row, then one invoice per row',
        problems: [],
        layout: name,
        skipped,
      };
    return {
      ...(inner as ReturnType<typeof createInvoiceCsvReader>).finish(duplicates),
      layout: name,
      skipped,
    };
  };

  const take = (): InvoiceInput[] => (inner === null ? [] : inner.take());
  const takeStaged = (): StagedRead =>
    inner === null
      ? { rows: [], lines: [], numbers: [], rejected: fileProblem !== null }
      : inner.takeStaged();

  return { push, take, takeStaged, finish };
}

/** A cell an XLSX reader gives (string, number, boolean, Date or empty) as a CSV export writes it. */
export function xlsxCellText(value: unknown, dateFormat: DateFormat): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return formatDay(value, dateFormat);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return String(value);
}

/** A spreadsheet date (midnight UTC of its day) written in `format`. */
export function formatDay(date: Date, format: DateFormat): string {
  const y = String(date.getUTCFullYear());
  const m = String(date.getUTCMonth() + 1);
  const d = String(date.getUTCDate());
  const pad = (v: string) => v.padStart(2, '0');
  switch (format) {
    case 'YYYY-MM-DD':
      return `${y}-${pad(m)}-${pad(d)}`;
    case 'MM/DD/YYYY':
    case 'M/D/YYYY':
      return `${pad(m)}/${pad(d)}/${y}`;
    case 'DD/MM/YYYY':
    case 'D/M/YYYY':
      return `${pad(d)}/${pad(m)}/${y}`;
    case 'DD.MM.YYYY':
    case 'D.M.YYYY':
      return `${pad(d)}.${pad(m)}.${y}`;
    case 'YYYY/MM/DD':
      return `${y}/${pad(m)}/${pad(d)}`;
    case 'D MMM YYYY':
      return `${d} ${MONTH_NAMES[date.getUTCMonth()]} ${y}`;
  }
}

/** `row R: skipped, reason`. */
export function describeSkipped(rows: readonly SkippedRow[]): string[] {
  return rows.map((s) => `row ${s.row}: skipped, ${s.reason}`);
}

export type { CsvProblem };
