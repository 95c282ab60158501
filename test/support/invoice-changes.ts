/**
 * The invoice edits the rollups' property tests (ledger, account book) make in random sequences, as the
 * app or a hand-written fix makes them: a balance set, a dispute opened or resolved, a void, a ping, a
 * delete; and a group of changes run in a transaction that is rolled back.
 */
import fc from 'fast-check';
import { patchInvoice, setInvoiceBalance, setPingedThreshold } from '../../src/db/invoices.ts';
import type { Db, Queryable } from '../../src/db/schema.ts';

export type InvoiceEdit =
  | { kind: 'balance'; n: number; balance: number }
  | { kind: 'dispute'; n: number; state: 'open' | 'resolved' }
  | { kind: 'void'; n: number }
  | { kind: 'ping'; ns: number[] }
  | { kind: 'delete'; n: number };

/** The edits of invoices numbered by `invoiceNo`. */
export function invoiceEdits(invoiceNo: fc.Arbitrary<number>): fc.Arbitrary<InvoiceEdit>[] {
  return [
    fc.record({
      kind: fc.constant('balance' as const),
      n: invoiceNo,
      balance: fc.integer({ min: 0, max: 50_000 }),
    }),
    fc.record({
      kind: fc.constant('dispute' as const),
      n: invoiceNo,
      state: fc.constantFrom('open' as const, 'resolved' as const),
    }),
    fc.record({ kind: fc.constant('void' as const), n: invoiceNo }),
    fc.record({ kind: fc.constant('ping' as const), ns: fc.array(invoiceNo, { maxLength: 4 }) }),
    fc.record({ kind: fc.constant('delete' as const), n: invoiceNo }),
  ];
}

/** The invoice `n` of the workspace's test numbering (`<team>-<n>`). */
export function invoiceNumber(team: string, n: number): string {
  return `${team}-${n}`;
}

/** Makes one edit; an edit of an invoice that does not exist (yet, or any more) changes nothing. */
export async function applyInvoiceEdit(db: Queryable, team: string, c: InvoiceEdit): Promise<void> {
  const idOf = async (n: number) =>
    (
      await db
        .selectFrom('invoices')
        .select('id')
        .where('team_id', '=', team)
        .where('number', '=', invoiceNumber(team, n))
        .executeTakeFirst()
    )?.id;
  switch (c.kind) {
    case 'balance': {
      const id = await idOf(c.n);
      if (id !== undefined)
        await setInvoiceBalance(db, id, {
          balance_cents: c.balance,
          status: c.balance === 0 ? 'paid' : 'open',
          paid_at: null,
        });
      return;
    }
    case 'dispute':
    case 'void': {
      const id = await idOf(c.n);
      if (id !== undefined)
        await patchInvoice(db, id, c.kind === 'void' ? { status: 'void' } : { dispute_state: c.state });
      return;
    }
    case 'ping': {
      const ids = await Promise.all(c.ns.map((n) => idOf(n)));
      await setPingedThreshold(
        db,
        ids.filter((id) => id !== undefined),
        15,
      );
      return;
    }
    case 'delete':
      await db
        .deleteFrom('invoices')
        .where('team_id', '=', team)
        .where('number', '=', invoiceNumber(team, c.n))
        .execute();
      return;
  }
}

class Rollback extends Error {}

/** Runs `work` in a transaction (a savepoint's worth of changes) and rolls it back. */
export async function rolledBack(db: Queryable, work: (trx: Queryable) => Promise<void>): Promise<void> {
  await (db as Db)
    .transaction()
    .execute(async (trx) => {
      await work(trx);
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
}

/**
 * Mostly `simple` changes, now and then a group of them made in a transaction and rolled back
 * (`{ kind: 'rollback', inside }`, applied with rolledBack).
 */
export function withRolledBackGroups<C>(
  simple: fc.Arbitrary<C>,
): fc.Arbitrary<C | { kind: 'rollback'; inside: C[] }> {
  return fc.oneof(
    { weight: 6, arbitrary: simple },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('rollback' as const),
        inside: fc.array(simple, { maxLength: 4 }),
      }),
    },
  );
}
