import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/domain/csv.ts';
import { describeProblems, parseDay } from '../../src/domain/invoice-csv.ts';
import {
  createReportReader,
  formatDay,
  type ReportOptions,
  type ReportResult,
  xlsxCellText,
} from '../../src/domain/report-layouts.ts';

const FIXTURES = new URL('../fixtures/exports/', import.meta.url);

function readCsv(text: string, options: ReportOptions = {}): ReportResult {
  const reader = createReportReader(options);
  for (const record of parseCsv(text)) reader.push(record);
  return reader.finish();
}

function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

function rowsOf(result: ReportResult) {
  if (!result.ok)
    throw new Error(result.fileProblem ?? describeProblems(result.problems).join('\n') ?? 'not ok');
  return result.rows.map((r) => [
    r.number,
    r.account.name,
    r.amountCents,
    r.balanceCents,
    r.issuedOn,
    r.dueOn,
  ]);
}

describe('QuickBooks Online A/R Aging Detail', () => {
  it('reads the export unchanged: titles, buckets, totals and the footer are skipped', () => {
    const result = readCsv(fixture('quickbooks-ar-aging-detail.csv'));
    expect(result.layout).toBe('QuickBooks Online "A/R Aging Detail" report');
    expect(rowsOf(result)).toEqual([
      ['1048', 'Bluebird Logistics', 240000, 240000, '2026-11-18', '2026-12-18'],
      ['1051', 'Harbor & Pine', 78000, 78000, '2026-11-25', '2026-12-25'],
      ['1036', 'Acme Corp', 1250000, 750000, '2026-10-12', '2026-11-11'],
      ['1029', 'Cobalt Systems, Inc.', 321050, 321050, '2026-09-15', '2026-10-15'],
      ['1012', 'Bluebird Logistics', 95000, 95000, '2026-07-02', '2026-08-01'],
    ]);
    expect(result.skipped).toEqual([
      { row: 12, reason: 'Payment, not an invoice' },
      { row: 16, reason: 'Credit Memo, not an invoice' },
    ]);
  });

  it('reports a bad cell with its row in the original file', () => {
    const text = fixture('quickbooks-ar-aging-detail.csv').replace('09/15/2026', '09/31/2026');
    const result = readCsv(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(describeProblems(result.problems)).toEqual([
      'row 15, column 2 (Date): is not a real date (MM/DD/YYYY), got "09/31/2026"',
    ]);
  });
});

describe('QuickBooks Online Open Invoices', () => {
  it('takes the customer from the section rows, the parent of a sub-customer', () => {
    const result = readCsv(fixture('quickbooks-open-invoices.csv'));
    expect(result.layout).toBe('QuickBooks Online "Open Invoices" report');
    expect(rowsOf(result)).toEqual([
      ['1036', 'Acme Corp', 750000, 750000, '2026-10-12', '2026-11-11'],
      ['1051', 'Harbor & Pine', 78000, 78000, '2026-11-25', '2026-12-25'],
    ]);
    expect(result.skipped).toEqual([{ row: 8, reason: 'Payment, not an invoice' }]);
  });
});

describe('Xero Aged Receivables Detail', () => {
  it('reads contacts, invoices and totals; Total is the amount due; credit notes are reported', () => {
    const result = readCsv(fixture('xero-aged-receivables-detail.csv'));
    expect(result.layout).toBe('Xero "Aged Receivables Detail" report');
    expect(rowsOf(result)).toEqual([
      ['INV-0041', 'Bayside Club', 23400, 23400, '2026-10-07', '2026-11-06'],
      ['INV-0056', 'Bayside Club', 108000, 108000, '2026-11-12', '2026-12-12'],
      ['INV-0019', 'Ridgeway University', 618750, 618750, '2026-08-02', '2026-09-01'],
    ]);
    expect(result.skipped).toEqual([
      { row: 13, reason: 'a credit note or overpayment (negative amount due), not an invoice' },
    ]);
  });

  it('reads XLSX cells (dates, numbers) as the CSV export writes them', () => {
    const reader = createReportReader();
    const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
    for (const row of [
      ['Aged Receivables Detail'],
      ['Demo Company (US)'],
      ['As at 30 November 2026'],
      [],
      ['Invoice Date', 'Invoice Number', 'Invoice Reference', 'Due Date', 'Current', 'Older', 'Total'],
      ['Bayside Club', null, null, null, null, null, null],
      [day('2026-10-07'), 'INV-0041', null, day('2026-11-06'), 0, 234, 234],
      ['Total Bayside Club', null, null, null, 0, 234, 234],
      ['Total', null, null, null, 0, 234, 234],
    ])
      reader.push(row);
    expect(rowsOf(reader.finish())).toEqual([
      ['INV-0041', 'Bayside Club', 23400, 23400, '2026-10-07', '2026-11-06'],
    ]);
  });
});

describe('layout detection', () => {
  it('still reads a flat CSV, and names what it looked for when it knows neither', () => {
    const flat = readCsv(
      'Num,Customer,Date,Due Date,Amount,Balance\r\nINV-1,Acme,2026-01-01,2026-01-31,10,10\r\n',
    );
    expect(flat.layout).toBe('flat CSV (one invoice per row under a header row)');
    expect(rowsOf(flat)).toHaveLength(1);

    const unknown = readCsv(
      'Sales by Item Summary\r\nJanuary - November 2026\r\n\r\nItem,Qty,Sales\r\nWidget,3,30\r\n',
    );
    expect(unknown.ok).toBe(false);
    if (unknown.ok) return;
    expect(unknown.layout).toBeNull();
    expect(unknown.fileProblem).toContain('"A/R Aging Detail" (QuickBooks Online "A/R Aging Detail" report)');
    expect(unknown.fileProblem).toContain(
      '"Aged Receivables Detail" (Xero "Aged Receivables Detail" report)',
    );
  });

  it('names the report when its header lacks a needed column', () => {
    const text = 'A/R Aging Detail\r\n\r\n,Date,Transaction Type,Customer,Due Date,Amount,Open Balance\r\n';
    const result = readCsv(text);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.fileProblem).toMatch(
        /^QuickBooks Online "A\/R Aging Detail" report: .*no invoice number column/,
      );
  });
});

describe('properties', () => {
  const invoice = fc.record({
    number: fc.integer({ min: 1000, max: 9999 }).map(String),
    customer: fc.constantFrom('Acme Corp', 'Bluebird Logistics', 'Harbor & Pine:Seattle', 'Zed, Ltd.'),
    cents: fc.integer({ min: 1, max: 10_000_000 }),
    issued: fc.date({ min: new Date('2025-01-01'), max: new Date('2026-12-31'), noInvalidDate: true }),
  });

  it('a QuickBooks aging report of any invoices, in any buckets, gives back exactly those invoices', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(invoice, { selector: (i) => i.number, minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 12, maxLength: 12 }),
        (invoices, buckets) => {
          const lines = [
            'A/R Aging Detail',
            'Co',
            '"As of November 30, 2026"',
            '',
            ',Date,Transaction Type,Num,Customer,Due Date,Amount,Open Balance',
          ];
          const money = (c: number) => `"${(c / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}"`;
          for (const bucket of [0, 1, 2, 3]) {
            lines.push(
              `${['Current', '1 - 30 days past due', '31 - 60 days past due', '91 or more days past due'][bucket]},,,,,,,`,
            );
            invoices.forEach((inv, i) => {
              if (buckets[i] !== bucket) return;
              const d = formatDay(new Date(inv.issued.toISOString().slice(0, 10)), 'MM/DD/YYYY');
              lines.push(
                `,${d},Invoice,${inv.number},"${inv.customer}",${d},${money(inv.cents)},${money(inv.cents)}`,
              );
            });
            lines.push(`Total for bucket ${bucket},,,,,,"$1.00","$1.00"`);
          }
          lines.push('TOTAL,,,,,,"$9.00","$9.00"', '', '"Monday, Nov 30, 2026 04:12:55 PM GMT-08:00"');
          const result = readCsv(lines.join('\r\n'));
          if (!result.ok) return false;
          const got = new Map(result.rows.map((r) => [r.number, r]));
          return (
            got.size === invoices.length &&
            invoices.every((inv) => {
              const row = got.get(inv.number);
              return row?.amountCents === inv.cents && row.account.name === inv.customer.split(':')[0];
            })
          );
        },
      ),
    );
  });

  it('a spreadsheet date written in any format reads back as the same day', () => {
    const formats = [
      'YYYY-MM-DD',
      'MM/DD/YYYY',
      'DD/MM/YYYY',
      'DD.MM.YYYY',
      'YYYY/MM/DD',
      'D MMM YYYY',
    ] as const;
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01'), max: new Date('2090-12-31'), noInvalidDate: true }),
        fc.constantFrom(...formats),
        (date, format) => {
          const day = new Date(`${date.toISOString().slice(0, 10)}T00:00:00Z`);
          const parsed = parseDay(xlsxCellText(day, format), format);
          return parsed.ok && parsed.value === day.toISOString().slice(0, 10);
        },
      ),
    );
  });
});
