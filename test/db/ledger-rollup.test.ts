import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { insertAccounts, setCreditHold } from '../../src/db/accounts.ts';
import { writeHandoff } from '../../src/db/handoffs.ts';
import { upsertInvoiceRows } from '../../src/db/invoices.ts';
import type { Db, NewInvoice, Queryable, Trx } from '../../src/db/schema.ts';
import { loadLedgerHeadline } from '../../src/db/status.ts';
import { agingTotals } from '../../src/domain/collections.ts';
import { useTestDatabase } from '../support/db.ts';
import {
  applyInvoiceEdit,
  type InvoiceEdit,
  invoiceEdits,
  invoiceNumber,
  rolledBack,
  withRolledBackGroups,
} from '../support/invoice-changes.ts';
import { aDeal, addDays, unique } from '../support/rows.ts';

const database = useTestDatabase();
const DAY0 = '2026-06-01';

/** One change to the rows the rollup and the counters follow, as the app (or a hand-written fix) makes it. */
type Change =
  | {
      kind: 'upsert';
      rows: Array<{ n: number; currency: string; due: number; balance: number; status: string }>;
    }
  | InvoiceEdit
  | { kind: 'hold'; a: number; on: boolean }
  | { kind: 'deal'; a: number }
  | { kind: 'handoff'; d: number; complete: boolean }
  | { kind: 'dropHandoff'; d: number }
  | { kind: 'rollback'; inside: Change[] };

const invoiceNo = fc.integer({ min: 0, max: 11 });
const simple: fc.Arbitrary<Change> = fc.oneof(
  fc.record({
    kind: fc.constant('upsert' as const),
    rows: fc.uniqueArray(
      fc.record({
        n: invoiceNo,
        currency: fc.constantFrom('USD', 'EUR'),
        due: fc.integer({ min: -120, max: 40 }),
        balance: fc.integer({ min: 0, max: 50_000 }),
        status: fc.constantFrom('open', 'open', 'paid', 'void'),
      }),
      { minLength: 1, maxLength: 6, selector: (r) => r.n },
    ),
  }),
  ...invoiceEdits(invoiceNo),
  fc.record({ kind: fc.constant('hold' as const), a: fc.integer({ min: 0, max: 2 }), on: fc.boolean() }),
  fc.record({ kind: fc.constant('deal' as const), a: fc.integer({ min: 0, max: 2 }) }),
  fc.record({
    kind: fc.constant('handoff' as const),
    d: fc.integer({ min: 0, max: 3 }),
    complete: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('dropHandoff' as const), d: fc.integer({ min: 0, max: 3 }) }),
);
const change: fc.Arbitrary<Change> = withRolledBackGroups(simple);

async function apply(db: Queryable, team: string, accounts: number[], c: Change): Promise<void> {
  const number = (n: number) => invoiceNumber(team, n);
  const dealIds = async (q: Queryable) =>
    (await q.selectFrom('deals').select('id').where('team_id', '=', team).orderBy('id').execute()).map(
      (d) => d.id,
    );
  switch (c.kind) {
    case 'upsert':
      await upsertInvoiceRows(
        db,
        c.rows.map(
          (r): NewInvoice => ({
            team_id: team,
            number: number(r.n),
            account_id: accounts[r.n % accounts.length] as number,
            amount_cents: 50_000,
            balance_cents: r.status === 'paid' ? 0 : r.balance,
            currency: r.currency,
            issued_on: addDays(DAY0, -150),
            due_on: addDays(DAY0, r.due),
            status: r.status === 'open' && r.balance === 0 ? 'paid' : (r.status as NewInvoice['status']),
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
    case 'hold':
      await setCreditHold(db, [accounts[c.a] as number], c.on, new Date());
      return;
    case 'deal': {
      const account = await db
        .selectFrom('accounts')
        .selectAll()
        .where('id', '=', accounts[c.a] as number)
        .executeTakeFirstOrThrow();
      await aDeal(db, account);
      return;
    }
    case 'handoff': {
      const dealId = (await dealIds(db))[c.d];
      if (dealId === undefined) return;
      const inTransaction = (work: (trx: Trx) => Promise<unknown>) =>
        db.isTransaction ? work(db as Trx) : (db as Db).transaction().execute(work);
      await inTransaction(async (trx) => {
        const previous = await trx
          .selectFrom('handoffs')
          .selectAll()
          .where('deal_id', '=', dealId)
          .executeTakeFirst();
        await writeHandoff(
          trx,
          { teamId: team, dealId, fields: {}, complete: c.complete, submittedBy: 'U0REP', at: new Date() },
          previous,
        );
      });
      return;
    }
    case 'dropHandoff': {
      const dealId = (await dealIds(db))[c.d];
      if (dealId !== undefined) await db.deleteFrom('handoffs').where('deal_id', '=', dealId).execute();
      return;
    }
    case 'rollback':
      await rolledBack(db, async (trx) => {
        for (const inner of c.inside) await apply(trx, team, accounts, inner);
      });
      return;
  }
}

/** The rollup and the counters, recomputed from the raw rows. */
async function recompute(db: Db, team: string) {
  const open = await db
    .selectFrom('invoices')
    .select(['currency', 'due_on', 'balance_cents', 'dispute_state'])
    .where('team_id', '=', team)
    .where('status', '=', 'open')
    .execute();
  const rollup = new Map<
    string,
    { currency: string; due_on: string; open_cents: number; open_count: number; disputed_count: number }
  >();
  for (const i of open) {
    const key = `${i.currency} ${i.due_on}`;
    const r = rollup.get(key) ?? {
      currency: i.currency,
      due_on: i.due_on,
      open_cents: 0,
      open_count: 0,
      disputed_count: 0,
    };
    r.open_cents += i.balance_cents;
    r.open_count += 1;
    r.disputed_count += i.dispute_state === 'open' ? 1 : 0;
    rollup.set(key, r);
  }
  const holds = await db
    .selectFrom('accounts')
    .select('id')
    .where('team_id', '=', team)
    .where('credit_hold', '=', true)
    .execute();
  const deals = await db
    .selectFrom('deals')
    .leftJoin('handoffs', 'handoffs.deal_id', 'deals.id')
    .select(['deals.id', 'handoffs.complete'])
    .where('deals.team_id', '=', team)
    .execute();
  return {
    rollup: [...rollup.values()].sort((a, b) =>
      `${a.currency} ${a.due_on}`.localeCompare(`${b.currency} ${b.due_on}`),
    ),
    holds: holds.length,
    waiting: deals.filter((d) => d.complete !== true).length,
    open,
  };
}

async function stored(db: Db, team: string) {
  const rollup = await db
    .selectFrom('ledger_rollup')
    .select(['currency', 'due_on', 'open_cents', 'open_count', 'disputed_count'])
    .where('team_id', '=', team)
    .orderBy('currency')
    .orderBy('due_on')
    .execute();
  const counters = await db
    .selectFrom('ledger_counters')
    .selectAll()
    .where('team_id', '=', team)
    .executeTakeFirst();
  return { rollup, holds: counters?.accounts_on_hold ?? 0, waiting: counters?.handoffs_waiting ?? 0 };
}

describe('the ledger rollup and counters', () => {
  it('equal a recomputation from the raw rows after any sequence of changes, committed or rolled back', async () => {
    const { db } = database;
    await fc.assert(
      fc.asyncProperty(
        fc.array(change, { minLength: 1, maxLength: 14 }),
        fc.integer({ min: -60, max: 160 }),
        async (changes, shift) => {
          const team = `T0ROLL${unique()}`;
          const accounts = (
            await insertAccounts(
              db,
              team,
              [0, 1, 2].map((i) => ({ crmId: `R-${i}`, name: `Rollup ${i}` })),
            )
          ).map((a) => a.id);
          for (const c of changes) await apply(db, team, accounts, c);
          const expected = await recompute(db, team);
          expect(await stored(db, team)).toEqual({
            rollup: expected.rollup,
            holds: expected.holds,
            waiting: expected.waiting,
          });

          // The headline derives aging and overdue from the rollup as of any day.
          const today = addDays(DAY0, shift);
          const headline = await loadLedgerHeadline(db, team, today);
          const aging = agingTotals(
            expected.open.map((i) => ({
              balanceCents: i.balance_cents,
              currency: i.currency,
              dueOn: i.due_on,
            })),
            today,
          );
          expect(headline).toEqual({
            totalOpen: [...aging]
              .map(([currency, b]) => ({ currency, cents: Object.values(b).reduce((x, y) => x + y, 0) }))
              .filter((m) => m.cents > 0)
              .sort((a, b) => a.currency.localeCompare(b.currency)),
            aging: [...aging]
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([currency, buckets]) => ({ currency, buckets })),
            openDisputes: expected.open.filter((i) => i.dispute_state === 'open').length,
            handoffsWaiting: expected.waiting,
            accountsOnHold: expected.holds,
            overdueInvoices: expected.open.filter((i) => i.due_on < today).length,
          });
        },
      ),
      { numRuns: 40 },
    );
  });
});
