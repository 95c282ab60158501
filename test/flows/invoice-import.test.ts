import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { findAccountsByCrmId } from '../../src/db/accounts.ts';
import { findInvoicesByNumber } from '../../src/db/invoices.ts';
import { describeProblem } from '../../src/domain/invoice-csv.ts';
import { ImportRejected, importInvoiceRecords } from '../../src/flows/invoice-import.ts';
import { useTestDatabase } from '../support/db.ts';
import { TEAM, unique } from '../support/rows.ts';

const database = useTestDatabase();
const NOW = new Date('2026-06-15T12:00:00Z');
const config = loadConfig({
  SLACK_BOT_TOKEN: 'xoxb-test-token',
  SLACK_SIGNING_SECRET: 'secret',
  FINANCE_CHANNEL_ID: 'C0FINANCE',
  AR_USER_IDS: 'U0AR',
  DIGEST_CRON: 'off',
  LOG_LEVEL: 'silent',
});

const HEADER = ['Invoice Number', 'Customer', 'Customer ID', 'Invoice Date', 'Due Date', 'Amount', 'Balance'];

/** A flat export's records: the header, then one invoice per row (line n + 2 for row n). */
function file(rows: readonly (readonly string[])[]): string[][] {
  return [HEADER, ...rows.map((r) => [...r])];
}

function invoice(number: string, customer: string, o: { crmId?: string; balance?: string } = {}): string[] {
  return [number, customer, o.crmId ?? '', '2026-05-01', '2026-05-31', '100.00', o.balance ?? '100.00'];
}

async function importing(records: string[][]) {
  const { db } = database;
  return db.transaction().execute((trx) => importInvoiceRecords({ config, db }, trx, TEAM, records, {}, NOW));
}

async function rejection(records: string[][]): Promise<string[]> {
  const error = await importing(records).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImportRejected);
  const read = (error as ImportRejected).read;
  return read.problems.map(describeProblem);
}

describe('flows/invoice-import', () => {
  it('finds numbers given twice in the staging tables, across chunks and within one, naming both rows', async () => {
    const tag = unique();
    const rows = Array.from({ length: 12_000 }, (_, i) =>
      invoice(`INV-D${tag}-${i}`, `Dup Customer ${i % 7}`),
    );
    // Row 10,002 (line 10,003) repeats row 3's number, in a later chunk; the last two rows repeat one in the same chunk.
    rows[10_001] = invoice(`INV-D${tag}-2`, 'Someone Else');
    rows.push(invoice(`INV-D${tag}-11000`, 'Again'), invoice(`INV-D${tag}-11000`, 'And Again'));
    const problems = await rejection(file(rows));
    expect(problems).toEqual([
      `row 10003, column 1 (Invoice Number): INV-D${tag}-2 is also on row 4`,
      `row 12002, column 1 (Invoice Number): INV-D${tag}-11000 is also on row 11002`,
      `row 12003, column 1 (Invoice Number): INV-D${tag}-11000 is also on row 11002`,
    ]);
    expect(await findInvoicesByNumber(database.db, TEAM, [`INV-D${tag}-0`, `INV-D${tag}-11999`])).toEqual([]);
  });

  it('finds a number a later chunk gives again when nothing else is wrong, and stores none of the file', async () => {
    const tag = unique();
    const rows = Array.from({ length: 10_005 }, (_, i) =>
      invoice(`INV-X${tag}-${i}`, `Cross Customer ${i % 5}`),
    );
    // Line 10,004 (the second chunk) repeats line 2's number: every other row of the file is new.
    rows[10_002] = invoice(`INV-X${tag}-0`, 'Cross Customer 0');
    expect(await rejection(file(rows))).toEqual([
      `row 10004, column 1 (Invoice Number): INV-X${tag}-0 is also on row 2`,
    ]);
    expect(await findInvoicesByNumber(database.db, TEAM, [`INV-X${tag}-0`, `INV-X${tag}-10004`])).toEqual([]);
  });

  it('reports duplicates with the other problems in file order, also after the first bad row', async () => {
    const tag = unique();
    const rows = Array.from({ length: 7_000 }, (_, i) => invoice(`INV-B${tag}-${i}`, 'Bad File Customer'));
    rows[3] = invoice(`INV-B${tag}-3`, 'Bad File Customer', { balance: '200.00' });
    rows[6_500] = invoice(`INV-B${tag}-1`, 'Bad File Customer', { balance: '300.00' });
    rows[6_600] = invoice(`INV-B${tag}-6500`, '');
    expect(await rejection(file(rows))).toEqual([
      'row 5, column 7 (Balance): must not be more than the amount',
      `row 6502, column 1 (Invoice Number): INV-B${tag}-1 is also on row 3`,
      'row 6502, column 7 (Balance): must not be more than the amount',
      'row 6602, column 2 (Customer): must not be empty (or give a customer id)',
    ]);
    expect(await findInvoicesByNumber(database.db, TEAM, [`INV-B${tag}-0`])).toEqual([]);
  });

  it('applies a long file chunk by chunk as if whole: one account per customer, named by its last row', async () => {
    const tag = unique();
    const crmId = `CRM-L${tag}`;
    const rows = Array.from({ length: 9_000 }, (_, i) =>
      invoice(`INV-L${tag}-${i}`, i < 8_000 ? `Long Customer ${tag}` : `Long Customer ${tag} Renamed`, {
        crmId,
      }),
    );
    const result = await importing(file(rows));
    expect(result).toMatchObject({ rows: 9_000, customers: 1, created: 9_000, accountsCreated: 1 });
    const [account] = await findAccountsByCrmId(database.db, TEAM, [crmId]);
    expect(account?.name).toBe(`Long Customer ${tag} Renamed`);
    const stored = await findInvoicesByNumber(database.db, TEAM, [`INV-L${tag}-0`, `INV-L${tag}-8999`]);
    expect(stored.map((i) => i.account_id)).toEqual([account?.id, account?.id]);
  });
});
