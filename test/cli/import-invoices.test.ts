import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import writeExcelFile from 'write-excel-file/node';
import { CLI_TEST_TIMEOUT_MS, type CliSetup, startCliSetup } from '../support/cli.ts';

const CLI = 'src/cli/import-invoices.ts';

let cli: CliSetup;

beforeAll(async () => {
  cli = await startCliSetup('invoices');
});
afterAll(async () => cli?.close());

function csvFile(name: string, lines: string[]): string {
  const file = join(cli.dir, name);
  writeFileSync(file, `${lines.join('\r\n')}\r\n`);
  return file;
}

/** What the import left in the database (the embedded one is opened after the CLI process has exited). */
async function stored() {
  return cli.withDb(async (db) => {
    const invoices = await db
      .selectFrom('invoices')
      .innerJoin('accounts', 'accounts.id', 'invoices.account_id')
      .select([
        'invoices.team_id',
        'invoices.number',
        'accounts.name as account',
        'invoices.amount_cents',
        'invoices.balance_cents',
        'invoices.currency',
        'invoices.issued_on',
        'invoices.due_on',
        'invoices.status',
      ])
      .orderBy('invoices.number')
      .execute();
    const accounts = await db.selectFrom('accounts').select(['name', 'crm_id']).orderBy('name').execute();
    const payments = await db
      .selectFrom('collection_updates')
      .innerJoin('invoices', 'invoices.id', 'collection_updates.invoice_id')
      .select(['invoices.number', 'collection_updates.kind', 'collection_updates.amount_cents'])
      .orderBy('invoices.number')
      .execute();
    return { invoices, accounts, payments };
  });
}

// A QuickBooks-style A/R Aging Detail export: US dates, an aging column the import ignores.
const HEADER = ',Date,Transaction Type,Num,Customer,Due Date,Past Due,Amount,Open Balance';
const GOOD = [
  HEADER,
  ',01/15/2026,Invoice,INV-1001,Acme Corp,02/14/2026,30,"$1,234.50","1,234.50"',
  ',01/20/2026,Invoice,INV-1002,"Beta, Inc.",02/19/2026,25,500.00,200.00',
  ',02/01/2026,Invoice,INV-1003,ACME  corp,03/03/2026,0,99.99,99.99',
];

describe('npm run import:invoices', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('checks everything but stores nothing with --dry-run', async () => {
    const file = csvFile('dry.csv', GOOD);
    const { code, output } = await cli.run(CLI, [file, '--dry-run', '--date-format', 'MM/DD/YYYY']);
    expect(output).toContain(`${file}: 3 rows, 2 customers, all valid. Dry run, nothing stored;`);
    expect(output).toMatch(
      /would give: 3 created, 0 updated, 0 unchanged, 0 payments, 0 paid, 2 new accounts/,
    );
    expect(code).toBe(0);
    expect(await stored()).toEqual({ invoices: [], accounts: [], payments: [] });
  });

  it('refuses a file that is not readable as CSV, naming the line, and stores nothing', async () => {
    const file = csvFile('unclosed.csv', [
      ...GOOD,
      ',02/02/2026,Invoice,INV-1004,"Gamma,03/04/2026,0,1.00,1.00',
    ]);
    const { code, output } = await cli.run(CLI, [file, '--date-format', 'MM/DD/YYYY']);
    expect(output).toContain(
      `${file} was not imported: not readable as CSV: line 5: a quoted value is not closed (its closing " is missing)`,
    );
    expect(code).toBe(1);
    expect(await stored()).toEqual({ invoices: [], accounts: [], payments: [] });
  });

  it('explains a missing column and a bad option without touching the database', async () => {
    const noDue = csvFile('no-due.csv', ['Num,Customer,Date,Amount,Balance', 'INV-9,Acme,2026-01-01,1,1']);
    const missing = await cli.run(CLI, [noDue]);
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/no due date column \(one of: Due Date, .*\)\. The header row has: "Num"/);

    const usage = await cli.run(CLI, [noDue, '--date-format', 'YYYY.MM.DD']);
    expect(usage.code).toBe(2);
    expect(usage.output).toContain('--date-format must be one of YYYY-MM-DD, MM/DD/YYYY');
  });

  it('stores invoices and creates accounts; a re-import with a lower balance records a payment', async () => {
    const file = csvFile('aging.csv', GOOD);
    const first = await cli.run(CLI, [file, '--date-format', 'MM/DD/YYYY']);
    expect(first.output).toContain(
      `${file}: 3 rows: 3 created, 0 updated, 0 unchanged, 0 payments, 0 paid, 2 new accounts (`,
    );
    expect(first.output).toMatch(/new accounts \(\d+\.\d s\)\n/);
    expect(first.code).toBe(0);
    const afterFirst = await stored();
    // "Acme Corp" and "ACME  corp" are one customer (names match ignoring case and spacing).
    expect(afterFirst.accounts).toHaveLength(2);
    const acme = afterFirst.invoices.find((i) => i.number === 'INV-1003')?.account;
    expect(acme?.toLowerCase().replace(/\s+/g, ' ')).toBe('acme corp');
    expect(afterFirst.invoices).toEqual([
      {
        team_id: cli.fake.teamId,
        number: 'INV-1001',
        account: acme,
        amount_cents: 123_450,
        balance_cents: 123_450,
        currency: 'USD',
        issued_on: '2026-01-15',
        due_on: '2026-02-14',
        status: 'open',
      },
      {
        team_id: cli.fake.teamId,
        number: 'INV-1002',
        account: 'Beta, Inc.',
        amount_cents: 50_000,
        balance_cents: 20_000,
        currency: 'USD',
        issued_on: '2026-01-20',
        due_on: '2026-02-19',
        status: 'open',
      },
      {
        team_id: cli.fake.teamId,
        number: 'INV-1003',
        account: acme,
        amount_cents: 9_999,
        balance_cents: 9_999,
        currency: 'USD',
        issued_on: '2026-02-01',
        due_on: '2026-03-03',
        status: 'open',
      },
    ]);

    // A month later: Acme paid part of INV-1001, Beta cleared INV-1002.
    const later = csvFile('aging-later.csv', [
      HEADER,
      ',01/15/2026,Invoice,INV-1001,Acme Corp,02/14/2026,60,"$1,234.50",234.50',
      ',01/20/2026,Invoice,INV-1002,"Beta, Inc.",02/19/2026,55,500.00,0.00',
      ',02/01/2026,Invoice,INV-1003,ACME  corp,03/03/2026,30,99.99,99.99',
    ]);
    const second = await cli.run(CLI, [later, '--date-format', 'MM/DD/YYYY']);
    expect(second.output).toContain(
      ': 3 rows: 0 created, 2 updated, 1 unchanged, 2 payments, 1 paid, 0 new accounts',
    );
    expect(second.code).toBe(0);
    const afterSecond = await stored();
    expect(afterSecond.invoices.map((i) => [i.number, i.balance_cents, i.status])).toEqual([
      ['INV-1001', 23_450, 'open'],
      ['INV-1002', 0, 'paid'],
      ['INV-1003', 9_999, 'open'],
    ]);
    expect(afterSecond.payments).toEqual([
      { number: 'INV-1001', kind: 'payment_received', amount_cents: 100_000 },
      { number: 'INV-1002', kind: 'payment_received', amount_cents: 20_000 },
    ]);
  });

  it('undoes what a long file wrote as it streamed when a row near its end is bad', async () => {
    const before = await stored();
    const good = Array.from(
      { length: 4_500 },
      (_, i) => `,01/15/2026,Invoice,LONG-${i},Customer ${i % 7},02/14/2026,30,10.00,10.00`,
    );
    const file = csvFile('long.csv', [
      HEADER,
      ...good,
      ',01/15/2026,Invoice,LONG-X,Omega,02/14/2026,0,5.00,6.00',
    ]);
    const { code, output } = await cli.run(CLI, [file, '--date-format', 'MM/DD/YYYY']);
    expect(output).toContain(`${file} was not imported (nothing was stored): 1 problem`);
    expect(output).toContain('row 4502, column 9 (Open Balance): must not be more than the amount');
    expect(code).toBe(1);
    expect(await stored()).toEqual(before);
  });

  it('rejects a file with a bad row whole, naming its line and column, and changes nothing', async () => {
    const before = await stored();
    expect(before.invoices).toHaveLength(3);
    const file = csvFile('bad.csv', [
      HEADER,
      ',02/01/2026,Invoice,INV-1003,Acme Corp,03/03/2026,30,99.99,0',
      ',02/30/2026,Invoice,INV-1004,Gamma,03/01/2026,0,(12.00),0',
      ',02/01/2026,Invoice,INV-1003,Delta,03/03/2026,0,10.00,10.001',
    ]);
    const { code, output } = await cli.run(CLI, [file, '--date-format', 'MM/DD/YYYY']);
    expect(output).toContain(`${file} was not imported (nothing was stored): 4 problems`);
    expect(output).toContain('row 3, column 2 (Date): is not a real date (MM/DD/YYYY), got "02/30/2026"');
    expect(output).toContain(
      'row 3, column 8 (Amount): must not be negative (credit notes are not invoices), got "(12.00)"',
    );
    expect(output).toContain('row 4, column 4 (Num): INV-1003 is also on row 2');
    expect(output).toContain('row 4, column 9 (Open Balance): has more decimals than USD allows (2)');
    expect(code).toBe(1);
    // INV-1003 would have been paid by the good first row: it was not.
    expect(await stored()).toEqual(before);
  });

  it('imports QuickBooks and Xero report exports unchanged, saying which layout it read', async () => {
    const qbo = join(cli.dir, 'A_R Aging Detail.csv');
    copyFileSync(new URL('../fixtures/exports/quickbooks-ar-aging-detail.csv', import.meta.url), qbo);
    const quickbooks = await cli.run(CLI, [qbo]);
    expect(quickbooks.output).toContain(`${qbo}: read as QuickBooks Online "A/R Aging Detail" report`);
    expect(quickbooks.output).toContain('row 12: skipped, Payment, not an invoice');
    expect(quickbooks.output).toContain('row 16: skipped, Credit Memo, not an invoice');
    expect(quickbooks.output).toMatch(/5 rows: 5 created, 0 updated/);
    expect(quickbooks.code).toBe(0);

    // Xero's default export is XLSX: real date and number cells under the same title rows.
    const xero = join(cli.dir, 'Aged_Receivables_Detail.xlsx');
    const day = (iso: string) => ({ value: new Date(`${iso}T00:00:00Z`), type: Date, format: 'd mmm yyyy' });
    const amount = (value: number) => ({ value, type: Number, format: '#,##0.00' });
    await writeExcelFile([
      [{ value: 'Aged Receivables Detail' }],
      [{ value: 'Demo Company (US)' }],
      [{ value: 'As at 30 November 2026' }],
      [{ value: 'Ageing by due date' }],
      [],
      [
        'Invoice Date',
        'Invoice Number',
        'Invoice Reference',
        'Due Date',
        'Current',
        '< 1 Month',
        'Total',
      ].map((value) => ({ value })),
      [{ value: 'Bayside Club' }],
      [
        day('2026-10-07'),
        { value: 'INV-0041' },
        { value: 'P/O 9711' },
        day('2026-11-06'),
        amount(0),
        amount(234),
        amount(234),
      ],
      [{ value: 'Total Bayside Club' }, null, null, null, amount(0), amount(234), amount(234)],
      [{ value: 'Total' }, null, null, null, amount(0), amount(234), amount(234)],
    ]).toFile(xero);
    const fromXero = await cli.run(CLI, [xero]);
    expect(fromXero.output).toContain(`${xero}: read as Xero "Aged Receivables Detail" report`);
    expect(fromXero.output).toMatch(/1 row: 1 created/);
    expect(fromXero.code).toBe(0);

    const { invoices } = await stored();
    expect(
      invoices
        .filter((i) => ['1036', '1051', 'INV-0041'].includes(i.number))
        .map((i) => [i.number, i.account, i.balance_cents]),
    ).toEqual([
      // Matched by name to the account an earlier import created.
      ['1036', 'ACME  corp', 750_000],
      ['1051', 'Harbor & Pine', 78_000],
      ['INV-0041', 'Bayside Club', 23_400],
    ]);
  });
});
