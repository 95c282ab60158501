import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { databaseErrorCode } from '../../src/db/errors.ts';
import { findInvoicesByNumber, upsertInvoiceRows } from '../../src/db/invoices.ts';
import type { Account, NewInvoice, Queryable } from '../../src/db/schema.ts';
import { untilALockIsAwaited, useTestDatabase, usingPostgres } from '../support/db.ts';
import { aDeal, anAccount, anInvoice, OTHER_TEAM, TEAM, unique } from '../support/rows.ts';

const database = useTestDatabase();

/** The error `run` fails with (the test fails when it does not). */
async function failureOf(
  run: () => Promise<unknown>,
): Promise<{ code?: string; constraint?: string; message: string; detail?: string }> {
  try {
    await run();
  } catch (error) {
    return error as { code?: string; constraint?: string; message: string; detail?: string };
  }
  throw new Error('expected a failure');
}

/** 'done' when `work` succeeds, else the database's error code. */
function outcomeOf(work: Promise<unknown>): Promise<string> {
  return work.then(
    () => 'done',
    (error: unknown) => databaseErrorCode(error) ?? 'failed',
  );
}

function invoiceOf(account: Pick<Account, 'team_id' | 'id'>, o: Partial<NewInvoice> = {}): NewInvoice {
  return {
    team_id: account.team_id,
    number: `INV-REF-${unique()}`,
    account_id: account.id,
    amount_cents: 1_000,
    balance_cents: 1_000,
    currency: 'USD',
    issued_on: '2026-01-01',
    due_on: '2026-02-01',
    ...o,
  };
}

async function missingAccountId(db: Queryable): Promise<number> {
  const { rows } = await sql<{ id: number }>`select coalesce(max(id), 0) + 1000 as id from accounts`.execute(
    db,
  );
  return Number(rows[0]?.id);
}

describe('db: the accounts and deals invoices name', () => {
  it('refuses an invoice of an account that does not exist, or of another workspace, naming the key', async () => {
    const { db } = database;
    const theirs = await anAccount(db, { teamId: OTHER_TEAM });
    const nowhere = { team_id: TEAM, id: await missingAccountId(db) };
    for (const [account, detail] of [
      [nowhere, `Key (team_id, account_id)=(${TEAM}, ${nowhere.id}) is not present in table "accounts".`],
      [
        { team_id: TEAM, id: theirs.id },
        `Key (team_id, account_id)=(${TEAM}, ${theirs.id}) is not present in table "accounts".`,
      ],
    ] as const) {
      const row = invoiceOf(account);
      const error = await failureOf(() => upsertInvoiceRows(db, [row]));
      expect(databaseErrorCode(error)).toBe('23503');
      expect(error.constraint).toBe('invoices_account_id_fkey');
      expect(error.message).toBe(
        'insert or update on table "invoices" violates foreign key constraint "invoices_account_id_fkey"',
      );
      expect(error.detail).toBe(detail);
      expect(await findInvoicesByNumber(db, TEAM, [row.number])).toEqual([]);
    }
  });

  it('refuses an invoice of a deal that does not exist or is another workspace’s; takes no deal, or its own', async () => {
    const { db } = database;
    const account = await anAccount(db);
    const other = await anAccount(db, { teamId: OTHER_TEAM });
    const theirDeal = await aDeal(db, other);
    const ownDeal = await aDeal(db, account);
    const error = await failureOf(() =>
      upsertInvoiceRows(db, [invoiceOf(account, { deal_id: theirDeal.id })]),
    );
    expect(databaseErrorCode(error)).toBe('23503');
    expect(error.constraint).toBe('invoices_deal_id_fkey');
    expect(error.detail).toBe(
      `Key (team_id, deal_id)=(${TEAM}, ${theirDeal.id}) is not present in table "deals".`,
    );
    const fine = [invoiceOf(account, { deal_id: ownDeal.id }), invoiceOf(account, { deal_id: null })];
    await upsertInvoiceRows(db, fine);
    const stored = await findInvoicesByNumber(
      db,
      TEAM,
      fine.map((r) => r.number),
    );
    expect(stored.map((i) => [i.number, i.deal_id]).sort()).toEqual(
      fine.map((r) => [r.number, r.deal_id]).sort(),
    );
  });

  it('refuses moving an invoice to an account or deal that does not exist; allows moving it to one that does', async () => {
    const { db } = database;
    const from = await anAccount(db);
    const to = await anAccount(db);
    const invoice = await anInvoice(db, from);
    const missing = await missingAccountId(db);
    const moved = await failureOf(() =>
      db.updateTable('invoices').set({ account_id: missing }).where('id', '=', invoice.id).execute(),
    );
    expect(databaseErrorCode(moved)).toBe('23503');
    expect(moved.constraint).toBe('invoices_account_id_fkey');
    const toTheirs = await failureOf(() =>
      db.updateTable('invoices').set({ team_id: OTHER_TEAM }).where('id', '=', invoice.id).execute(),
    );
    expect(databaseErrorCode(toTheirs)).toBe('23503');
    const dealMissing = await failureOf(() =>
      db.updateTable('invoices').set({ deal_id: missing }).where('id', '=', invoice.id).execute(),
    );
    expect(dealMissing.constraint).toBe('invoices_deal_id_fkey');
    await db.updateTable('invoices').set({ account_id: to.id }).where('id', '=', invoice.id).execute();
    const [after] = await findInvoicesByNumber(db, TEAM, [invoice.number]);
    expect(after?.account_id).toBe(to.id);
  });

  it('refuses deleting an account or a deal an invoice names, or changing its workspace; deletes one none names', async () => {
    const { db } = database;
    const account = await anAccount(db);
    const deal = await aDeal(db, account);
    await anInvoice(db, account, { deal_id: deal.id });
    const deleteDeal = await failureOf(() => db.deleteFrom('deals').where('id', '=', deal.id).execute());
    expect(databaseErrorCode(deleteDeal)).toBe('23503');
    expect(deleteDeal.message).toBe(
      'update or delete on table "deals" violates foreign key constraint "invoices_deal_id_fkey" on table "invoices"',
    );
    expect(deleteDeal.detail).toBe(
      `Key (team_id, id)=(${TEAM}, ${deal.id}) is still referenced from table "invoices".`,
    );
    const invoiced = await anAccount(db);
    await anInvoice(db, invoiced);
    const deleteAccount = await failureOf(() =>
      db.deleteFrom('accounts').where('id', '=', invoiced.id).execute(),
    );
    expect(deleteAccount.constraint).toBe('invoices_account_id_fkey');
    expect(deleteAccount.detail).toBe(
      `Key (team_id, id)=(${TEAM}, ${invoiced.id}) is still referenced from table "invoices".`,
    );
    const rekey = await failureOf(() =>
      db.updateTable('accounts').set({ team_id: OTHER_TEAM }).where('id', '=', invoiced.id).execute(),
    );
    expect(rekey.constraint).toBe('invoices_account_id_fkey');
    const unnamed = await anAccount(db);
    const gone = await db.deleteFrom('accounts').where('id', '=', unnamed.id).executeTakeFirst();
    expect(gone.numDeletedRows).toBe(1n);
  });

  it('accepts a statement exactly when every row names an account of its workspace (property)', async () => {
    const { db } = database;
    const ours = [await anAccount(db), await anAccount(db)];
    const theirs = await anAccount(db, { teamId: OTHER_TEAM });
    const missing = await missingAccountId(db);
    const choices = [
      { team_id: TEAM, id: ours[0]?.id as number, ok: true },
      { team_id: TEAM, id: ours[1]?.id as number, ok: true },
      { team_id: OTHER_TEAM, id: theirs.id, ok: true },
      { team_id: TEAM, id: theirs.id, ok: false },
      { team_id: TEAM, id: missing, ok: false },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...choices), { minLength: 1, maxLength: 12 }),
        async (picked) => {
          const rows = picked.map((c) => invoiceOf(c));
          const numbers = rows.map((r) => r.number);
          const outcome = await outcomeOf(upsertInvoiceRows(db, rows));
          const stored = [
            ...(await findInvoicesByNumber(db, TEAM, numbers)),
            ...(await findInvoicesByNumber(db, OTHER_TEAM, numbers)),
          ];
          if (picked.every((c) => c.ok)) {
            expect(outcome).toBe('done');
            expect(stored.map((i) => [i.team_id, i.account_id]).sort()).toEqual(
              picked.map((c) => [c.team_id, c.id]).sort(),
            );
          } else {
            expect(outcome).toBe('23503');
            expect(stored).toEqual([]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  describe.skipIf(!usingPostgres)('while another transaction deletes the account', () => {
    it('an invoice naming an account whose delete is uncommitted waits, then fails once it commits', async () => {
      const { db } = database;
      const account = await anAccount(db);
      const row = invoiceOf(account);
      let inserting: Promise<string> | undefined;
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('accounts').where('id', '=', account.id).execute();
        inserting = outcomeOf(upsertInvoiceRows(db, [row]));
        expect(await untilALockIsAwaited(db)).toBe(true);
      });
      expect(await inserting).toBe('23503');
      expect(await findInvoicesByNumber(db, TEAM, [row.number])).toEqual([]);
    });

    it('deleting an account whose new invoice is uncommitted waits, then fails once the invoice commits', async () => {
      const { db } = database;
      const account = await anAccount(db);
      const row = invoiceOf(account);
      let deleting: Promise<string> | undefined;
      await db.transaction().execute(async (trx) => {
        await upsertInvoiceRows(trx, [row]);
        deleting = outcomeOf(db.deleteFrom('accounts').where('id', '=', account.id).execute());
        expect(await untilALockIsAwaited(db)).toBe(true);
      });
      expect(await deleting).toBe('23503');
      expect((await findInvoicesByNumber(db, TEAM, [row.number])).map((i) => i.account_id)).toEqual([
        account.id,
      ]);
    });
  });
});
