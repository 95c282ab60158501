import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CsvProblem,
  createInvoiceCsvReader,
  DATE_FORMATS,
  describeProblems,
  headerKey,
  INVOICE_COLUMNS,
  type InvoiceCsvResult,
  parseAmount,
  parseDateFormat,
  parseDay,
  parseInvoiceCsv,
  recognizeColumns,
} from '../../src/domain/invoice-csv.ts';

function problemsOf(result: InvoiceCsvResult): string[] {
  if (result.ok) throw new Error(`expected problems, got ${result.rows.length} rows`);
  return result.fileProblem !== null ? [result.fileProblem] : describeProblems(result.problems);
}

function fieldsOf(header: string): Record<string, string> {
  const recognized = recognizeColumns(header.split(','));
  if (!recognized.ok) throw new Error(recognized.problem);
  return Object.fromEntries(Object.entries(recognized.columns).map(([field, c]) => [field, c.header]));
}

describe('column recognition', () => {
  it('reads a QuickBooks-like A/R Aging Detail header, ignoring the columns it does not use', () => {
    expect(
      fieldsOf(
        ',Date,Transaction Type,Num,Customer,Due Date,Past Due,Amount,Open Balance,Aging,Memo/Description',
      ),
    ).toEqual({
      issuedOn: 'Date',
      number: 'Num',
      customer: 'Customer',
      dueOn: 'Due Date',
      amount: 'Amount',
      balance: 'Open Balance',
    });
  });

  it('reads a Xero-like Aged Receivables header', () => {
    expect(
      fieldsOf(
        'Contact,Invoice Number,Reference,Invoice Date,Due Date,Total,Paid,Credited,Amount Due,Currency,Current,< 1 Month,1 Month,2 Months,3 Months,Older',
      ),
    ).toEqual({
      customer: 'Contact',
      number: 'Invoice Number',
      issuedOn: 'Invoice Date',
      dueOn: 'Due Date',
      amount: 'Total',
      balance: 'Amount Due',
      currency: 'Currency',
    });
  });

  it('ignores case, spaces and punctuation, and reads the optional columns', () => {
    expect(
      fieldsOf(
        'INVOICE #, customer  name ,CRM_ID,issue-date,DUE ON,Orig. Amount,balance due,CCY,Status,Opportunity ID',
      ),
    ).toEqual({
      number: 'INVOICE #',
      customer: 'customer  name',
      customerId: 'CRM_ID',
      issuedOn: 'issue-date',
      dueOn: 'DUE ON',
      amount: 'Orig. Amount',
      balance: 'balance due',
      currency: 'CCY',
      status: 'Status',
      dealId: 'Opportunity ID',
    });
    expect(headerKey('Invoice No.')).toBe('invoiceno');
  });

  it('prefers the more specific header when several name one field', () => {
    expect(fieldsOf('Due,Num,Name,Account,Date,Invoice Date,Due Date,Total,Amount,Balance')).toMatchObject({
      dueOn: 'Due Date',
      issuedOn: 'Invoice Date',
      customer: 'Name',
      amount: 'Amount',
    });
  });

  it('never lets one header name two fields', () => {
    const fields = new Map<string, Set<string>>();
    for (const spec of INVOICE_COLUMNS)
      for (const key of spec.headers.map(headerKey))
        fields.set(key, (fields.get(key) ?? new Set()).add(spec.field));
    expect([...fields].filter(([, names]) => names.size > 1)).toEqual([]);
  });

  it('rejects the file when a required column is missing, naming the columns it found', () => {
    const [problem] = problemsOf(
      parseInvoiceCsv('Invoice,Customer,Amount,Balance,Aging\nINV-1,Acme,1,1,0\n'),
    );
    expect(problem).toMatch(/^no invoice date column \(one of: Invoice Date, .*\); no due date column/);
    expect(problem).toContain('The header row has: "Invoice", "Customer", "Amount", "Balance", "Aging"');
    expect(problemsOf(parseInvoiceCsv('A/R Aging Detail\n'))[0]).toContain('remove report titles');
  });

  it('rejects an empty file and a file without invoices', () => {
    expect(problemsOf(parseInvoiceCsv('\n\n'))[0]).toMatch(/empty/);
    expect(problemsOf(parseInvoiceCsv('Invoice,Customer,Date,Due,Amount,Balance\n'))[0]).toMatch(
      /no invoices/,
    );
  });
});

describe('amounts', () => {
  it.each([
    ['1,234.50', 'USD', 123_450],
    ['$1,234.50', 'USD', 123_450],
    ['  1234.5 ', 'USD', 123_450],
    ['0.07', 'USD', 7],
    ['.5', 'USD', 50],
    ['12', 'USD', 1_200],
    ['€1.234', 'EUR', null],
    ['€12.30', 'EUR', 1_230],
    ['£9.99', 'GBP', 999],
    ['1500', 'JPY', 1_500],
    ['¥1,500', 'JPY', 1_500],
    ['1.234', 'BHD', 1_234],
    ['(0.00)', 'USD', 0],
    ['90,071,992,547,409.91', 'USD', 9_007_199_254_740_991],
  ])('reads %s in %s', (text, currency, minor) => {
    const parsed = parseAmount(text, currency);
    expect(parsed.ok ? parsed.value : null).toBe(minor);
  });

  it.each([
    ['(12.00)', 'USD', 'must not be negative (credit notes are not invoices), got "(12.00)"'],
    ['12.00-', 'USD', 'must not be negative (credit notes are not invoices), got "12.00-"'],
    ['-$12.00', 'USD', 'must not be negative (credit notes are not invoices), got "-$12.00"'],
    ['12.345', 'USD', 'has more decimals than USD allows (2), got "12.345"'],
    ['1500.5', 'JPY', 'has more decimals than JPY allows (0), got "1500.5"'],
    ['1,23.45', 'USD', 'must be an amount such as 1,234.50, got "1,23.45"'],
    ['12abc', 'USD', 'must be an amount such as 1,234.50, got "12abc"'],
    ['$', 'USD', 'must be an amount such as 1,234.50, got "$"'],
    ['', 'USD', 'must not be empty'],
    ['€12.00', 'USD', 'is written in € but the currency is USD'],
    ['90,071,992,547,409.92', 'USD', 'is too large, got "90,071,992,547,409.92"'],
  ])('refuses %s in %s', (text, currency, message) => {
    expect(parseAmount(text, currency)).toEqual({ ok: false, message });
  });

  it('reads back exactly any number of cents written with thousands separators', () => {
    const grouped = (whole: bigint) => whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.constantFrom('', '$'), (cents, symbol) => {
        const minor = BigInt(cents);
        const text = `${symbol}${grouped(minor / 100n)}.${(minor % 100n).toString().padStart(2, '0')}`;
        expect(parseAmount(text, 'USD')).toEqual({ ok: true, value: cents });
      }),
    );
  });
});

describe('dates', () => {
  it('reads ISO dates by default and refuses other formats with a hint', () => {
    expect(parseDay('2026-03-01', 'YYYY-MM-DD')).toEqual({ ok: true, value: '2026-03-01' });
    expect(parseDay('03/01/2026', 'YYYY-MM-DD')).toEqual({
      ok: false,
      message: 'must be a date written YYYY-MM-DD (name another format with --date-format), got "03/01/2026"',
    });
    expect(parseDay('2026-3-1', 'YYYY-MM-DD').ok).toBe(false);
  });

  it.each([
    ['03/01/2026', 'MM/DD/YYYY', '2026-03-01'],
    ['3/1/2026', 'MM/DD/YYYY', '2026-03-01'],
    ['3/1/2026', 'M/D/YYYY', '2026-03-01'],
    ['12/31/2026', 'M/D/YYYY', '2026-12-31'],
    ['03/01/2026', 'DD/MM/YYYY', '2026-01-03'],
    ['3/1/2026', 'D/M/YYYY', '2026-01-03'],
    ['31.12.2026', 'DD.MM.YYYY', '2026-12-31'],
    ['1.2.2026', 'D.M.YYYY', '2026-02-01'],
    ['2026/03/01', 'YYYY/MM/DD', '2026-03-01'],
    ['2024-02-29', 'YYYY-MM-DD', '2024-02-29'],
  ] as const)('reads %s as %s', (text, format, day) => {
    expect(parseDay(text, format)).toEqual({ ok: true, value: day });
  });

  it.each([
    ['02/30/2026', 'MM/DD/YYYY'],
    ['13/01/2026', 'MM/DD/YYYY'],
    ['31/04/2026', 'DD/MM/YYYY'],
    ['29.02.2026', 'DD.MM.YYYY'],
    ['2026-02-29', 'YYYY-MM-DD'],
    ['00/10/2026', 'M/D/YYYY'],
  ] as const)('refuses the impossible day %s (%s)', (text, format) => {
    expect(parseDay(text, format)).toEqual({
      ok: false,
      message: `is not a real date (${format}), got "${text}"`,
    });
  });

  it('knows the --date-format values in any case', () => {
    expect(parseDateFormat('mm/dd/yyyy')).toBe('MM/DD/YYYY');
    expect(parseDateFormat('YYYY.MM.DD')).toBeNull();
    expect(DATE_FORMATS).toContain('D.M.YYYY');
  });
});

const QB_HEADER = ',Date,Transaction Type,Num,Customer,Due Date,Past Due,Amount,Open Balance';

describe('reading an export', () => {
  it('hands over the valid rows as it reads, and none once a row is bad', () => {
    const reader = createInvoiceCsvReader({ dateFormat: 'MM/DD/YYYY' });
    reader.push(QB_HEADER.split(','));
    reader.push(['', '01/15/2026', 'Invoice', 'T-1', 'Acme', '02/14/2026', '0', '10.00', '10.00']);
    reader.push(['', '01/15/2026', 'Invoice', 'T-2', 'Acme', '02/14/2026', '0', '10.00', '5.00']);
    expect(reader.take().map((r) => r.number)).toEqual(['T-1', 'T-2']);
    expect(reader.take()).toEqual([]);
    reader.push(['', '01/15/2026', 'Invoice', 'T-3', 'Acme', '02/14/2026', '0', '10.00', '5.00']);
    reader.push(['', '01/15/2026', 'Invoice', 'T-1', 'Acme', '02/14/2026', '0', '10.00', '5.00']);
    reader.push(['', '01/15/2026', 'Invoice', 'T-4', 'Acme', '02/14/2026', '0', '10.00', '5.00']);
    expect(reader.take()).toEqual([]);
    const result = reader.finish();
    expect(result.ok === false && result.problems.map((p) => [p.row, p.message])).toEqual([
      [5, 'T-1 is also on row 2'],
    ]);
  });

  it('maps rows to invoices, with --date-format and the fallback currency', () => {
    const csv = [
      QB_HEADER,
      ',01/15/2026,Invoice,1001,Acme Corp,02/14/2026,10,"$1,234.50","1,000.00"',
      ',01/20/2026,Invoice,1002,"Beta, Inc.",01/20/2026,0,500,0',
      '',
    ].join('\r\n');
    const result = parseInvoiceCsv(csv, { dateFormat: 'MM/DD/YYYY', currency: 'CAD' });
    expect(result).toEqual({
      ok: true,
      rows: [
        {
          number: '1001',
          account: { crmId: null, name: 'Acme Corp' },
          amountCents: 123_450,
          balanceCents: 100_000,
          currency: 'CAD',
          issuedOn: '2026-01-15',
          dueOn: '2026-02-14',
          dealCrmId: null,
        },
        {
          number: '1002',
          account: { crmId: null, name: 'Beta, Inc.' },
          amountCents: 50_000,
          balanceCents: 0,
          currency: 'CAD',
          issuedOn: '2026-01-20',
          dueOn: '2026-01-20',
          dealCrmId: null,
        },
      ],
    });
  });

  it('reads the optional columns: currency per row, status words, customer and deal ids', () => {
    const csv = [
      'Invoice No,Customer,Customer ID,Invoice Date,Due Date,Amount,Balance,Currency,Status,Deal ID',
      'A-1,Acme,,2026-01-01,2026-01-31,1500,1500,jpy,,D-9',
      'A-2,,CRM-7,2026-01-01,2026-01-31,10.00,0,EUR,Closed,',
      'A-3,Acme,,2026-01-01,2026-01-31,10.00,10.00,,Voided,',
    ].join('\n');
    const result = parseInvoiceCsv(csv);
    if (!result.ok) throw new Error(problemsOf(result).join('\n'));
    expect(
      result.rows.map((r) => [r.number, r.account, r.amountCents, r.currency, r.status, r.dealCrmId]),
    ).toEqual([
      ['A-1', { crmId: null, name: 'Acme' }, 1_500, 'JPY', undefined, 'D-9'],
      ['A-2', { crmId: 'CRM-7', name: null }, 1_000, 'EUR', 'paid', null],
      ['A-3', { crmId: null, name: 'Acme' }, 1_000, 'USD', 'void', null],
    ]);
  });

  it('reads an invoice link column and refuses a link that is not http(s)', () => {
    const header = 'Invoice No,Customer,Invoice Date,Due Date,Amount,Balance,Invoice Link';
    const ok = parseInvoiceCsv(
      [
        header,
        'L-1,Acme,2026-01-01,2026-01-31,10.00,10.00,https://pay.example.com/L-1',
        'L-2,Acme,2026-01-01,2026-01-31,10.00,10.00,',
      ].join('\n'),
    );
    if (!ok.ok) throw new Error(problemsOf(ok).join('\n'));
    expect(ok.rows.map((r) => r.url)).toEqual(['https://pay.example.com/L-1', undefined]);
    const bad = parseInvoiceCsv(
      [header, 'L-3,Acme,2026-01-01,2026-01-31,10.00,10.00,ftp://x.example.com/L-3'].join('\n'),
    );
    expect(bad.ok).toBe(false);
    expect(problemsOf(bad)).toEqual(['row 2, column 7 (Invoice Link): must be an http or https link']);
  });

  it('lists every problem at once, by line and column, and rejects the whole file', () => {
    const csv = [
      QB_HEADER,
      ',01/15/2026,Invoice,1001,Acme,02/14/2026,0,100.00,100.00',
      ',02/30/2026,Invoice,1002,Acme,03/01/2026,0,(12.00),12.345',
      '',
      ',"01/15/2026",Invoice,1001,,01/01/2026,0,100.00,200.00',
      ',01/15/2026,Invoice,1003,Acme, Inc.,02/14/2026,0,100.00,100.00',
    ].join('\n');
    const result = parseInvoiceCsv(csv, { dateFormat: 'MM/DD/YYYY' });
    expect(problemsOf(result)).toEqual([
      'row 3, column 2 (Date): is not a real date (MM/DD/YYYY), got "02/30/2026"',
      'row 3, column 8 (Amount): must not be negative (credit notes are not invoices), got "(12.00)"',
      'row 3, column 9 (Open Balance): has more decimals than USD allows (2), got "12.345"',
      'row 5, column 4 (Num): 1001 is also on row 2',
      'row 5, column 5 (Customer): must not be empty',
      'row 5, column 6 (Due Date): must not be before the invoice date (2026-01-15)',
      'row 5, column 9 (Open Balance): must not be more than the amount',
      'row 6, column 6 (Due Date): must be a date written MM/DD/YYYY, got "Inc."',
      'row 6, column 9 (Open Balance): must not be more than the amount',
      'row 6, column 10: has a value past the last column of the header, got "100.00" (is there a comma inside an unquoted value?)',
    ]);
  });

  it('counts every line of a quoted value that spans lines, and skips blank lines', () => {
    const reader = createInvoiceCsvReader();
    const records = [
      ['Invoice', 'Customer', 'Memo', 'Date', 'Due', 'Amount', 'Balance'],
      ['A-1', 'Acme', 'two\r\nlines', '2026-01-01', '2026-01-31', '10', '10'],
      [''],
      ['A-2', 'Acme', '', '2026-01-01', '2026-01-31', '10', 'ten'],
    ];
    for (const record of records) reader.push(record);
    expect(problemsOf(reader.finish())).toEqual([
      'row 5, column 7 (Balance): must be an amount such as 1,234.50, got "ten"',
    ]);
    const text =
      'Invoice,Customer,Memo,Date,Due,Amount,Balance\nA-1,Acme,"two\nlines",2026-01-01,2026-01-31,10,10\n\nA-2,Acme,,2026-01-01,2026-01-31,10,ten\n';
    expect(problemsOf(parseInvoiceCsv(text))).toEqual([
      'row 5, column 7 (Balance): must be an amount such as 1,234.50, got "ten"',
    ]);
  });

  it('reports a CSV that cannot be parsed as a problem with the file', () => {
    expect(problemsOf(parseInvoiceCsv('Invoice,Customer\n"A-1,Acme\n'))[0]).toMatch(/^not readable as CSV/);
  });

  it('prints at most 100 problems, then how many more there are', () => {
    const problems: CsvProblem[] = Array.from({ length: 250 }, (_, i) => ({
      row: i + 2,
      column: 3,
      header: 'Date',
      message: 'must be a date written YYYY-MM-DD',
    }));
    const lines = describeProblems(problems);
    expect(lines).toHaveLength(101);
    expect(lines[0]).toBe('row 2, column 3 (Date): must be a date written YYYY-MM-DD');
    expect(lines[100]).toBe('…and 150 more');
    expect(describeProblems(problems.slice(0, 100))).toHaveLength(100);
  });
});

/** What the staging tables find (src/db/invoice-staging.ts): each repeat of a number, with its first line. */
function duplicatesOf(staged: readonly { line: number; number: string }[]) {
  const first = new Map<string, number>();
  for (const s of [...staged].sort((a, b) => a.line - b.line))
    if (!first.has(s.number)) first.set(s.number, s.line);
  return staged
    .filter((s) => first.get(s.number) !== s.line)
    .map((s) => ({ line: s.line, number: s.number, firstLine: first.get(s.number) as number }))
    .sort((a, b) => a.line - b.line);
}

describe('duplicates left to the staging tables', () => {
  it('give the same rows, lines and problems as the reader finding them itself', () => {
    const record = fc.record({
      number: fc.constantFrom('A-1', 'A-2', 'A-3', 'A-4', ''),
      balance: fc.constantFrom('10.00', '5.00', '20.00', 'x'),
      blank: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), fc.integer({ min: 1, max: 7 }), (rows, every) => {
        const records = [
          ['Invoice', 'Customer', 'Date', 'Due', 'Amount', 'Balance'],
          ...rows.map((r) =>
            r.blank ? [''] : [r.number, 'Acme', '2026-01-15', '2026-02-14', '10.00', r.balance],
          ),
        ];
        const itself = createInvoiceCsvReader();
        const staging = createInvoiceCsvReader({ findDuplicates: false });
        const taken: string[] = [];
        const staged: { line: number; number: string }[] = [];
        const take = () => {
          const read = staging.takeStaged();
          expect(read.lines).toHaveLength(read.rows.length);
          read.rows.forEach((r, i) => {
            taken.push(r.number);
            staged.push({ line: read.lines[i] as number, number: r.number });
          });
          staged.push(...read.numbers);
        };
        records.forEach((r, i) => {
          itself.push(r);
          staging.push(r);
          if (i % every === 0) take();
        });
        take();
        const expected = itself.finish();
        const got = staging.finish(duplicatesOf(staged));
        expect(got.ok).toBe(expected.ok);
        if (!expected.ok && !got.ok) expect(got.problems).toEqual(expected.problems);
        if (expected.ok) expect(taken).toEqual(expected.rows.map((r) => r.number));
      }),
    );
  });
});
