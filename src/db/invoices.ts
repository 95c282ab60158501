import { type ExpressionBuilder, sql } from 'kysely';
import { nextThresholdAbove } from '../domain/collections.ts';
import type { Account, Database, Invoice, NewInvoice, Queryable, TeamScope, Trx } from './schema.ts';

/** An invoice of this workspace with its account, or undefined. */
export async function getInvoiceWithAccount(
  db: Queryable,
  teamId: string,
  invoiceId: number,
): Promise<{ invoice: Invoice; account: Account } | undefined> {
  const invoice = await getInvoice(db, teamId, invoiceId);
  if (!invoice) return undefined;
  const account = await db
    .selectFrom('accounts')
    .selectAll()
    .where('id', '=', invoice.account_id)
    .executeTakeFirstOrThrow();
  return { invoice, account };
}

export async function getInvoice(
  db: Queryable,
  teamId: string,
  invoiceId: number,
): Promise<Invoice | undefined> {
  return db
    .selectFrom('invoices')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('id', '=', invoiceId)
    .executeTakeFirst();
}

/** The invoice, held until the transaction ends; throws when it is not this workspace's. */
export async function lockInvoice(trx: Trx, teamId: string, invoiceId: number): Promise<Invoice> {
  return trx
    .selectFrom('invoices')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('id', '=', invoiceId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

/** What an AR update changes on its invoice: a promise, the dispute state, or a write-off. */
export type InvoicePatch =
  | { promise_date: string | null; promise_broken_pinged: false }
  | { dispute_state: 'open' | 'resolved' }
  | { status: 'void' };

export async function patchInvoice(db: Queryable, invoiceId: number, patch: InvoicePatch): Promise<void> {
  await db
    .updateTable('invoices')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', invoiceId)
    .execute();
}

/** A payment AR logged: the new balance and status, and when it was paid in full (null otherwise). */
export async function setInvoiceBalance(
  db: Queryable,
  invoiceId: number,
  balance: { balance_cents: number; status: Invoice['status']; paid_at: Date | null },
): Promise<void> {
  await db
    .updateTable('invoices')
    .set({ ...balance, updated_at: new Date() })
    .where('id', '=', invoiceId)
    .execute();
}

/** This workspace's invoices with these numbers. */
export async function findInvoicesByNumber(
  db: Queryable,
  teamId: string,
  numbers: readonly string[],
): Promise<Invoice[]> {
  if (numbers.length === 0) return [];
  return db
    .selectFrom('invoices')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('number', '=', sql<string>`any(${[...numbers]}::text[])`)
    .execute();
}

/** The SQL type of each invoice column a row may give, for passing a column as one array parameter. */
const INVOICE_COLUMN_TYPES: Record<string, string> = {
  team_id: 'text',
  number: 'text',
  account_id: 'int4',
  deal_id: 'int4',
  amount_cents: 'int8',
  balance_cents: 'int8',
  currency: 'text',
  issued_on: 'date',
  due_on: 'date',
  status: 'text',
  dispute_state: 'text',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  pinged_threshold: 'int4',
  promise_date: 'date',
  promise_broken_pinged: 'bool',
  past_hold: 'bool',
  paid_at: 'timestamptz',
  url: 'text',
};

/** What an upsert of a known number changes: the source's view of the invoice, never our own state. */
const UPSERTED_COLUMNS = [
  'account_id',
  'deal_id',
  'amount_cents',
  'balance_cents',
  'currency',
  'issued_on',
  'due_on',
  'status',
  'paid_at',
  'url',
] as const;

/**
 * Inserts invoices, or updates the ones whose number the workspace has (the import and API upsert).
 * One statement whatever the count, with one array parameter per column (`unnest`), so that a batch
 * of thousands costs one short statement to parse and plan rather than a VALUES list of tens of
 * thousands of parameters.
 */
export async function upsertInvoiceRows(db: Queryable, rows: readonly NewInvoice[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0] as NewInvoice).filter(
    (c) => (rows[0] as Record<string, unknown>)[c] !== undefined,
  );
  const uniform = rows.every((r) => {
    const keys = Object.keys(r).filter((c) => (r as Record<string, unknown>)[c] !== undefined);
    return keys.length === columns.length && columns.every((c) => c in r);
  });
  if (!uniform || columns.some((c) => !(c in INVOICE_COLUMN_TYPES))) {
    await upsertInvoiceValues(db, rows);
    return;
  }
  const arrays = columns.map((c) => {
    const values = rows.map((r) => {
      const v = (r as Record<string, unknown>)[c];
      return v instanceof Date ? v.toISOString() : (v ?? null);
    });
    return sql`${values}::${sql.raw(INVOICE_COLUMN_TYPES[c] as string)}[]`;
  });
  const updated = UPSERTED_COLUMNS.filter((c) => columns.includes(c));
  await sql`
    insert into invoices (${sql.join(columns.map((c) => sql.ref(c)))})
    select * from unnest(${sql.join(arrays)})
    on conflict (team_id, number) do update set
      ${sql.join([...updated.map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`), sql`updated_at = now()`])}
  `.execute(db);
}

/** The same upsert for rows that do not all give the same columns: a VALUES list. */
async function upsertInvoiceValues(db: Queryable, rows: readonly NewInvoice[]): Promise<void> {
  await db
    .insertInto('invoices')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['team_id', 'number']).doUpdateSet((eb) => ({
        account_id: eb.ref('excluded.account_id'),
        deal_id: eb.ref('excluded.deal_id'),
        amount_cents: eb.ref('excluded.amount_cents'),
        balance_cents: eb.ref('excluded.balance_cents'),
        currency: eb.ref('excluded.currency'),
        issued_on: eb.ref('excluded.issued_on'),
        due_on: eb.ref('excluded.due_on'),
        status: eb.ref('excluded.status'),
        paid_at: eb.ref('excluded.paid_at'),
        url: eb.ref('excluded.url'),
        updated_at: new Date(),
      })),
    )
    .execute();
}

/**
 * Refreshes the planner's statistics on invoices, so that lookups during a large import keep
 * using the (team_id, number) index instead of scanning the workspace's invoices.
 */
export async function analyzeInvoices(db: Queryable): Promise<void> {
  await sql`analyze invoices`.execute(db);
}

/** An open invoice with a balance, as credit hold weighs it. */
export type OwingInvoice = Pick<Invoice, 'account_id' | 'number' | 'balance_cents' | 'currency' | 'due_on'>;

/**
 * The open invoices with a balance of these accounts that are due on or before `dueOnOrBefore`
 * (credit hold's line), the ones that can put them on hold by their age: the oldest `perAccount`
 * of each account (by due date, then number), and how many each account has in all.
 */
export async function lateOwingInvoicesOf(
  db: Queryable,
  accountIds: readonly number[],
  dueOnOrBefore: string,
  perAccount: number,
): Promise<{ invoices: OwingInvoice[]; counts: Map<number, number> }> {
  if (accountIds.length === 0) return { invoices: [], counts: new Map() };
  const { rows } = await sql<OwingInvoice & { late: string | number }>`
    select account_id, number, balance_cents, currency, due_on, late from (
      select account_id, number, balance_cents, currency, due_on,
        row_number() over (partition by account_id order by due_on, number) as n,
        count(*) over (partition by account_id) as late
      from invoices
      where account_id = any(${[...accountIds]}::int[]) and status = 'open' and due_on <= ${dueOnOrBefore}
        and balance_cents > 0
    ) as ranked
    where n <= ${perAccount}
    order by account_id, n`.execute(db);
  return {
    invoices: rows.map(({ late: _, ...invoice }) => invoice),
    counts: new Map(rows.map((r) => [r.account_id, Number(r.late)])),
  };
}

/** The positive open balances of these accounts in one currency each (their credit limit's), summed by account. */
export async function owingCentsOf(
  db: Queryable,
  accounts: readonly { accountId: number; currency: string }[],
): Promise<Map<number, number>> {
  if (accounts.length === 0) return new Map();
  const { rows } = await sql<{ account_id: number; cents: string }>`
    select c.id as account_id, sum(i.balance_cents) as cents
    from unnest(${accounts.map((a) => a.accountId)}::int[], ${accounts.map((a) => a.currency)}::text[])
      as c (id, currency)
    join invoices i on i.account_id = c.id and i.status = 'open' and i.currency = c.currency and i.balance_cents > 0
    group by c.id`.execute(db);
  return new Map(rows.map((r) => [r.account_id, Number(r.cents)]));
}

// ---------------------------------------------------------------------------------------------------------------
// The past-due sweep

/** `today` minus `days`, as a date. */
function minusDays(today: string, days: number): string {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/** Invoices of the workspaces a sweep covers. */
function inScope(scope: TeamScope) {
  return (eb: ExpressionBuilder<Database, 'invoices'>) =>
    'only' in scope
      ? eb('team_id', '=', scope.only)
      : scope.except.length > 0
        ? eb('team_id', 'not in', scope.except)
        : eb.lit(true);
}

/**
 * Which open invoices may be due for a ping today. For each threshold already pinged (0 = none),
 * one exact range of due dates on the partial index `invoices_ping_idx`: so the sweep reads the
 * invoices that newly crossed a threshold, not the whole table. Invoices whose promise to pay still
 * holds are left out; a promise that has just broken is picked up once.
 */
function pingCandidates(today: string, thresholds: readonly number[]) {
  return (eb: ExpressionBuilder<Database, 'invoices'>) => {
    const promiseHolds = eb.and([eb('promise_date', 'is not', null), eb('promise_date', '>=', today)]);
    const ranges = [0, ...thresholds].flatMap((pinged) => {
      const next = nextThresholdAbove(pinged, thresholds);
      return next === null
        ? []
        : [eb.and([eb('pinged_threshold', '=', pinged), eb('due_on', '<=', minusDays(today, next))])];
    });
    // A pinged threshold that is no longer configured (PAST_DUE_DAYS changed): compare by value.
    const first = thresholds[0] ?? 1;
    const stray = eb.and([
      eb('pinged_threshold', 'not in', [0, ...thresholds]),
      eb('pinged_threshold', '<', thresholds.at(-1) ?? 0),
      eb('due_on', '<=', minusDays(today, first)),
    ]);
    return eb.or([
      eb.and([eb.or([...ranges, stray]), eb.not(promiseHolds)]),
      eb.and([
        eb('promise_date', 'is not', null),
        eb('promise_date', '<', today),
        eb('promise_broken_pinged', '=', false),
      ]),
    ]);
  };
}

/** The open, undisputed invoices that may be due for a ping today (bench/past-due-sweep.ts reads them too). */
export function pingCandidatesOf(
  db: Queryable,
  today: string,
  thresholds: readonly number[],
  scope: TeamScope = { except: [] },
) {
  return db
    .selectFrom('invoices')
    .where(inScope(scope))
    .where('status', '=', 'open')
    .where('dispute_state', '<>', 'open')
    .where(pingCandidates(today, thresholds));
}

/** The ids of open, undisputed invoices that may be due for a ping today, in order. */
export async function pingCandidateIds(
  db: Queryable,
  today: string,
  thresholds: readonly number[],
  scope: TeamScope = { except: [] },
): Promise<number[]> {
  const rows = await pingCandidatesOf(db, today, thresholds, scope).select('id').execute();
  return rows.map((c) => c.id).sort((a, b) => a - b);
}

/** Holds the still-open invoices among these; rows another sweep holds are skipped (it pings them). */
export async function lockOpenInvoices(trx: Trx, ids: readonly number[]): Promise<Invoice[]> {
  if (ids.length === 0) return [];
  return trx
    .selectFrom('invoices')
    .selectAll()
    .where('id', '=', sql<number>`any(${[...ids]}::int[])`)
    .where('status', '=', 'open')
    .forUpdate()
    .skipLocked()
    .execute();
}

/** What one sweep batch records of an invoice it pinged. */
export interface PingRecord {
  id: number;
  /** The threshold just pinged (never lowering what was pinged before). */
  threshold: number;
  /** A broken-promise ping: it also covers the thresholds crossed while the promise held. */
  promiseBroken: boolean;
}

/** Records a batch's pings in one statement, whatever their thresholds. */
export async function recordPings(db: Queryable, pings: readonly PingRecord[]): Promise<void> {
  if (pings.length === 0) return;
  await sql`update invoices as i
    set pinged_threshold = greatest(i.pinged_threshold, p.threshold),
      promise_broken_pinged = i.promise_broken_pinged or p.broken
    from unnest(${pings.map((p) => p.id)}::int[], ${pings.map((p) => p.threshold)}::int[],
      ${pings.map((p) => p.promiseBroken)}::boolean[]) as p(id, threshold, broken)
    where i.id = p.id and (i.pinged_threshold < p.threshold or (p.broken and not i.promise_broken_pinged))`.execute(
    db,
  );
}

/** Records that these invoices were pinged for `threshold` (never lowering what was pinged). */
export async function setPingedThreshold(
  db: Queryable,
  ids: readonly number[],
  threshold: number,
): Promise<void> {
  await recordPings(
    db,
    ids.map((id) => ({ id, threshold, promiseBroken: false })),
  );
}

/** Records the broken-promise ping; it covers the thresholds crossed while the promise held (`reached`). */
export async function markPromiseBroken(db: Queryable, invoiceId: number, reached: number): Promise<void> {
  await recordPings(db, [{ id: invoiceId, threshold: reached, promiseBroken: true }]);
}

/**
 * Marks the open invoices that are `creditHoldDays` or more past due on `today` as past the
 * credit-hold line, once each; returns the accounts of those that just crossed it.
 */
export async function markPastHold(
  db: Queryable,
  today: string,
  creditHoldDays: number,
  scope: TeamScope = { except: [] },
): Promise<number[]> {
  const crossed = await pastHoldUpdate(db, today, creditHoldDays, scope).execute();
  return [...new Set(crossed.map((r) => r.account_id))];
}

/** markPastHold's statement, unsent (bench/past-due-sweep.ts explains it). */
export function pastHoldUpdate(
  db: Queryable,
  today: string,
  creditHoldDays: number,
  scope: TeamScope = { except: [] },
) {
  return db
    .updateTable('invoices')
    .set({ past_hold: true })
    .where(inScope(scope))
    .where('status', '=', 'open')
    .where('past_hold', '=', false)
    .where('due_on', '<=', minusDays(today, creditHoldDays))
    .returning('account_id');
}
