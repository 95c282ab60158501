import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { insertAccounts } from '../../src/db/accounts.ts';
import { applyInChunks } from '../../src/db/invoice-staging.ts';
import { upsertInvoiceRows } from '../../src/db/invoices.ts';
import type { Db, NewInvoice, Queryable } from '../../src/db/schema.ts';
import { bookOf, loadRepBook } from '../../src/db/status.ts';
import type { InvoiceInput } from '../../src/domain/invoice-input.ts';
import { untilALockIsAwaited, useTestDatabase, usingPostgres } from '../support/db.ts';
import {
  applyInvoiceEdit,
  type InvoiceEdit,
  invoiceEdits,
  invoiceNumber,
  rolledBack,
  withRolledBackGroups,
} from '../support/invoice-changes.ts';
import { addDays, unique } from '../support/rows.ts';

const database = useTestDatabase();
const DAY0 = '2026-06-01';
const ACCOUNTS = 20;
const OWNERS = ['U0BOOKA', 'U0BOOKB'];

/** One change to the rows the book follows, as the app (or a hand-written fix) makes it. */
type Change =
  | {
      kind: 'upsert';
      rows: Array<{ n: number; a: number; currency: string; due: number; balance: number; status: string }>;
    }
  | InvoiceEdit
  | { kind: 'owner'; as: number[]; owner: number | null }
  | { kind: 'rename'; a: number; name: string }
  | { kind: 'rollback'; inside: Change[] };

const invoiceNo = fc.integer({ min: 0, max: 40 });
const accountNo = fc.integer({ min: 0, max: ACCOUNTS - 1 });
const simple: fc.Arbitrary<Change> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('upsert' as const),
      rows: fc.uniqueArray(
        fc.record({
          n: invoiceNo,
          a: accountNo,
          currency: fc.constantFrom('USD', 'EUR'),
          due: fc.integer({ min: -120, max: 40 }),
          balance: fc.integer({ min: -5_000, max: 50_000 }),
          status: fc.constantFrom('open', 'open', 'paid', 'void'),
        }),
        { minLength: 1, maxLength: 12, selector: (r) => r.n },
      ),
    }),
  },
  ...invoiceEdits(invoiceNo),
  fc.record({
    kind: fc.constant('owner' as const),
    as: fc.array(accountNo, { minLength: 1, maxLength: 5 }),
    owner: fc.option(fc.integer({ min: 0, max: OWNERS.length - 1 })),
  }),
  fc.record({
    kind: fc.constant('rename' as const),
    a: accountNo,
    name: fc.constantFrom('Book Zeta', 'book alpha', 'Book Mid'),
  }),
);
const change: fc.Arbitrary<Change> = withRolledBackGroups(simple);
const upsertedRows = (simple as fc.Arbitrary<Change>).filter((c) => c.kind === 'upsert');

async function apply(db: Queryable, team: string, accounts: number[], c: Change): Promise<void> {
  const number = (n: number) => invoiceNumber(team, n);
  switch (c.kind) {
    case 'upsert':
      await upsertInvoiceRows(
        db,
        c.rows.map(
          (r): NewInvoice => ({
            team_id: team,
            number: number(r.n),
            account_id: accounts[r.a] as number,
            amount_cents: 50_000,
            balance_cents: r.status === 'paid' ? 0 : r.balance,
            currency: r.currency,
            issued_on: addDays(DAY0, -150),
            due_on: addDays(DAY0, r.due),
            status: r.status as NewInvoice['status'],
            paid_at: null,
          }),
        ),
      );
      return;
    case 'balance':
    case 'dispute':
    case 'void':
    case 'ping':
    case 'delete':
      await applyInvoiceEdit(db, team, c);
      return;
    case 'owner':
      await db
        .updateTable('accounts')
        .set({ owner_user_id: c.owner === null ? null : (OWNERS[c.owner] as string) })
        .where(
          'id',
          'in',
          c.as.map((a) => accounts[a] as number),
        )
        .execute();
      return;
    case 'rename':
      await db
        .updateTable('accounts')
        .set({ name: c.name, name_key: c.name.toLowerCase() })
        .where('id', '=', accounts[c.a] as number)
        .execute();
      return;
    case 'rollback':
      await rolledBack(db, async (trx) => {
        for (const inner of c.inside) await apply(trx, team, accounts, inner);
      });
      return;
  }
}

/** The book from the raw rows: every open invoice of the owner's accounts, summed per account and currency. */
async function recomputedBook(db: Queryable, team: string, userId: string, today: string) {
  const rows = await db
    .selectFrom('accounts')
    .innerJoin('invoices', (join) =>
      join.onRef('invoices.account_id', '=', 'accounts.id').on('invoices.status', '=', 'open'),
    )
    .select([
      'accounts.id',
      'accounts.name',
      'accounts.owner_user_id',
      'accounts.credit_hold',
      'invoices.currency',
    ])
    .select([
      sql<string>`sum(invoices.balance_cents)`.as('open'),
      sql<string>`coalesce(sum(invoices.balance_cents) filter (where invoices.due_on < ${today}), 0)`.as(
        'overdue',
      ),
      sql<number>`max(${today}::date - invoices.due_on)`.as('worst'),
      sql<string>`count(*) filter (where invoices.dispute_state = 'open')`.as('disputes'),
    ])
    .where('accounts.team_id', '=', team)
    .where('accounts.owner_user_id', '=', userId)
    .groupBy(['accounts.id', 'invoices.currency'])
    .orderBy('accounts.id')
    .orderBy('invoices.currency')
    .execute();
  // Every account of the book, shown or not: the rollup's count is checked against this one.
  const positive = new Set<number>();
  const sums = new Map<string, number>();
  for (const r of rows) sums.set(`${r.id}/${r.currency}`, Number(r.open));
  for (const [key, cents] of sums) if (cents > 0) positive.add(Number(key.split('/')[0]));
  return bookOf(
    userId,
    rows.map((r) => ({
      ...r,
      open: Number(r.open),
      overdue: Number(r.overdue),
      disputes: Number(r.disputes),
    })),
    positive.size,
  );
}

/** The workspace's accounts the changes name (by index), all the first owner's; their ids. */
async function bookAccounts(db: Queryable, team: string): Promise<number[]> {
  const accounts = await insertAccounts(
    db,
    team,
    Array.from({ length: ACCOUNTS }, (_, i) => ({ crmId: `B-${i}`, name: bookName(i) })),
  );
  await db
    .updateTable('accounts')
    .set({ owner_user_id: OWNERS[0] as string })
    .where('team_id', '=', team)
    .execute();
  return accounts.map((a) => a.id);
}

const bookName = (i: number) => `Book ${String(i).padStart(2, '0')}`;

/** account_book as stored, and as recomputed from the raw rows. */
async function bookTables(db: Queryable, team: string) {
  const { rows: stored } = await sql`
    select account_id, team_id, owner_user_id, name, oldest_due_on::text as oldest, positive
    from account_book where team_id = ${team} order by account_id`.execute(db);
  const { rows: recomputed } = await sql`
    select a.id as account_id, a.team_id, a.owner_user_id, a.name, min(c.oldest)::text as oldest,
      bool_or(c.cents > 0) as positive
    from accounts a join (
      select account_id, currency, sum(balance_cents) as cents, min(due_on) as oldest
      from invoices where status = 'open' group by account_id, currency) as c on c.account_id = a.id
    where a.team_id = ${team}
    group by a.id order by a.id`.execute(db);
  return { stored, recomputed };
}

describe('account_book', () => {
  it('equals a recomputation from the raw rows after any sequence of changes, committed or rolled back', async () => {
    const { db } = database;
    await fc.assert(
      fc.asyncProperty(
        fc.array(change, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: -60, max: 160 }),
        async (changes, shift) => {
          const team = `T0BOOK${unique()}`;
          const accounts = await bookAccounts(db, team);
          for (const c of changes) await apply(db, team, accounts, c);
          const { stored, recomputed } = await bookTables(db, team);
          expect(stored).toEqual(recomputed);
          const today = addDays(DAY0, shift);
          for (const owner of OWNERS) {
            const book = await loadRepBook(db, team, owner, today);
            const expected = await recomputedBook(db, team, owner, today);
            const byLine = (b: typeof book) =>
              b.lines.map((l) => ({
                ...l,
                openBalance: [...l.openBalance].sort((x, y) => x.currency.localeCompare(y.currency)),
              }));
            expect(byLine(book)).toEqual(byLine(expected));
            expect(book.moreLines).toBe(expected.moreLines);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('equals a recomputation after an import of several chunks, which brings it up to date at its end', async () => {
    const db = database.db as Db;
    // The first chunk is 10,000 rows: the rows after it are applied with the book left for the end.
    const FILLER = 10_000;
    await fc.assert(
      fc.asyncProperty(
        fc.array(change, { maxLength: 6 }),
        upsertedRows,
        fc.array(upsertedRows, { maxLength: 2 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        async (before, restated, after, seed) => {
          const team = `T0BOOKI${unique()}`;
          const accounts = await bookAccounts(db, team);
          for (const c of before) await apply(db, team, accounts, c);
          let state = seed;
          const next = (n: number) => {
            state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 1;
            return state % n;
          };
          const input = (
            number: string,
            a: number,
            r: { currency: string; due: number; balance: number; status: string },
          ): InvoiceInput => ({
            number,
            account: { crmId: `B-${a}`, name: bookName(a) },
            amountCents: 50_000,
            balanceCents: r.status === 'paid' ? 0 : r.balance,
            currency: r.currency,
            issuedOn: addDays(DAY0, -150),
            dueOn: addDays(DAY0, r.due),
            status: r.status as InvoiceInput['status'],
          });
          const invoiceRow = () => ({
            currency: next(4) === 0 ? 'EUR' : 'USD',
            due: next(160) - 120,
            balance: next(10) === 0 ? -next(5_000) : next(50_000),
          });
          // The first chunk: half the accounts, few of their invoices open (so that the second chunk's
          // rows decide their entries).
          const filler = Array.from({ length: FILLER }, (_, i) =>
            input(`${team}-F${i}`, next(ACCOUNTS / 2), {
              ...invoiceRow(),
              status: next(100) === 0 ? 'open' : next(2) === 0 ? 'paid' : 'void',
            }),
          );
          // The second: invoices of the first restated (moved, paid, reopened, credited), and of before.
          const second = [
            ...Array.from({ length: 80 }, () =>
              input(`${team}-F${next(FILLER)}`, next(ACCOUNTS), {
                ...invoiceRow(),
                status: ['open', 'open', 'paid', 'void'][next(4)] as string,
              }),
            ),
            ...(restated.kind === 'upsert'
              ? restated.rows.map((r) => input(invoiceNumber(team, r.n), r.a, r))
              : []),
          ];
          const rows = [...filler, ...new Map(second.map((r) => [r.number, r])).values()];
          await db.transaction().execute(async (trx) => {
            const outcome = await applyInChunks(
              trx,
              team,
              new Date(),
              (async function* () {
                for (let i = 0; i < rows.length; i += 2_000) yield { rows: rows.slice(i, i + 2_000) };
              })(),
            );
            expect(outcome).toMatchObject({ staged: rows.length, complete: true });
            const { stored, recomputed } = await bookTables(trx, team);
            expect(stored).toEqual(recomputed);
            // And the book follows each change again in the same transaction.
            for (const c of after) await apply(trx, team, accounts, c);
          });
          const { stored, recomputed } = await bookTables(db, team);
          expect(stored).toEqual(recomputed);
        },
      ),
      { numRuns: 4 },
    );
  });

  it.skipIf(!usingPostgres)(
    'stays right when two transactions change one account at once (the second waits for the first)',
    async () => {
      const { db } = database;
      const team = `T0BOOKC${unique()}`;
      const [account] = await insertAccounts(db, team, [{ crmId: null, name: 'Concurrent Book' }]);
      const id = account?.id as number;
      const invoice = (n: string, due: number): NewInvoice => ({
        team_id: team,
        number: `${team}-${n}`,
        account_id: id,
        amount_cents: 1_000,
        balance_cents: 1_000,
        currency: 'USD',
        issued_on: addDays(DAY0, -150),
        due_on: addDays(DAY0, due),
        paid_at: null,
      });
      await upsertInvoiceRows(db, [invoice('first', -30), invoice('second', -30), invoice('later', -10)]);
      const pay = (q: Queryable, n: string) =>
        q
          .updateTable('invoices')
          .set({ status: 'paid', balance_cents: 0 })
          .where('number', '=', `${team}-${n}`)
          .execute();
      let second: Promise<unknown> | undefined;
      await db.transaction().execute(async (trx) => {
        // Each pays one of the two oldest invoices, the second while the first is not committed:
        // neither alone moves the oldest due date, both together do.
        await pay(trx, 'first');
        second = pay(db, 'second');
        await untilALockIsAwaited(db);
      });
      await second;
      const { stored, recomputed } = await bookTables(db, team);
      expect(stored).toEqual(recomputed);
      expect(stored).toEqual([expect.objectContaining({ account_id: id, oldest: addDays(DAY0, -10) })]);
    },
  );
});
