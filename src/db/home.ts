/**
 * The App Home read model: a rep's handoffs to finish, their customers' overdue and disputed
 * invoices and recent payments; AR's dispute queue, oldest overdue, handoffs waiting and holds.
 * The types are what src/views/home.ts renders.
 */
import { daysPastDue } from '../domain/collections.ts';
import { currentFields, type FieldKey, missingFields } from '../domain/handoff.ts';
import { type OpenAsk, openAsksForAr, openAsksOf } from './asks.ts';
import { disputeReasonLabels } from './collection-updates.ts';
import { handoffIncomplete } from './deals.ts';
import type { Db } from './schema.ts';
import type { StatusInvoice } from './status.ts';

export interface HomeHandoff {
  dealId: number;
  dealName: string;
  accountName: string;
  amountCents: number;
  currency: string;
  closedAt: Date;
  missing: FieldKey[];
  ownerUserId: string | null;
}

export interface HomePayment {
  invoiceNumber: string;
  accountName: string;
  amountCents: number;
  currency: string;
  at: Date;
  paidInFull: boolean;
}

export interface HomeInvoice extends StatusInvoice {
  accountId: number;
  accountName: string;
  ownerUserId: string | null;
}

/** An open ask the rep owes an answer to. */
export interface HomeAsk {
  askId: number;
  accountName: string;
  question: string;
  askedBy: string;
  /** 'YYYY-MM-DD' */
  dueOn: string | null;
}

export interface RepHome {
  kind: 'rep';
  userId: string;
  /** Open asks from AR, due first; `moreAsks` counts the rest. */
  asks: HomeAsk[];
  moreAsks: number;
  handoffs: HomeHandoff[];
  moreHandoffs: number;
  problemInvoices: HomeInvoice[];
  moreProblemInvoices: number;
  recentPayments: HomePayment[];
}

/** The aging chart on AR's App Home: its upload's file id once uploaded. */
export interface HomeChart {
  fileId: string;
  title: string;
  altText: string;
}

export interface ArHome {
  kind: 'ar';
  userId: string;
  /** Open questions reps passed to AR, oldest first; `moreAsks` counts the rest. */
  asks: HomeAsk[];
  moreAsks: number;
  /** The aging chart, when it is uploaded (set by the flow). */
  chart: HomeChart | null;
  /** Open disputes, oldest first. */
  disputes: HomeInvoice[];
  moreDisputes: number;
  /** The oldest overdue invoices (most days late first). */
  oldestOverdue: HomeInvoice[];
  moreOverdue: number;
  handoffsWaiting: HomeHandoff[];
  moreHandoffsWaiting: number;
  onHold: Array<{ accountId: number; name: string; ownerUserId: string | null; since: Date | null }>;
  moreOnHold: number;
}

const LIST = 12;
/** Payments this recent show on a rep's home. */
const RECENT_PAYMENTS_MS = 30 * 86_400_000;

async function count(query: {
  executeTakeFirstOrThrow(): Promise<{ n: number | string | bigint }>;
}): Promise<number> {
  return Number((await query.executeTakeFirstOrThrow()).n);
}

function invoiceSelect(db: Db) {
  return db
    .selectFrom('invoices')
    .innerJoin('accounts', 'accounts.id', 'invoices.account_id')
    .select([
      'invoices.id',
      'invoices.number',
      'invoices.balance_cents',
      'invoices.amount_cents',
      'invoices.currency',
      'invoices.due_on',
      'invoices.dispute_state',
      'invoices.promise_date',
      'accounts.id as account_id',
      'accounts.name as account_name',
      'accounts.owner_user_id',
    ])
    .where('invoices.status', '=', 'open');
}

type InvoiceRow = Awaited<ReturnType<ReturnType<typeof invoiceSelect>['execute']>>[number];

async function homeInvoices(db: Db, rows: InvoiceRow[], today: string): Promise<HomeInvoice[]> {
  const reasons = await disputeReasonLabels(
    db,
    rows.filter((r) => r.dispute_state === 'open').map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    balanceCents: r.balance_cents,
    amountCents: r.amount_cents,
    currency: r.currency,
    dueOn: r.due_on,
    daysLate: daysPastDue(r.due_on, today),
    disputed: r.dispute_state === 'open',
    disputeReasonLabel: reasons.get(r.id) ?? null,
    promiseDate: r.promise_date,
    accountId: r.account_id,
    accountName: r.account_name,
    ownerUserId: r.owner_user_id,
  }));
}

function waitingHandoffs(db: Db, teamId: string) {
  return db
    .selectFrom('deals')
    .innerJoin('accounts', 'accounts.id', 'deals.account_id')
    .leftJoin('handoffs', 'handoffs.deal_id', 'deals.id')
    .where('deals.team_id', '=', teamId)
    .where('deals.owner_user_id', 'is not', null)
    .where(handoffIncomplete);
}

async function handoffList(
  db: Db,
  teamId: string,
  ownerUserId: string | null,
): Promise<{ list: HomeHandoff[]; more: number }> {
  const base = waitingHandoffs(db, teamId).$if(ownerUserId !== null, (q) =>
    q.where('deals.owner_user_id', '=', ownerUserId as string),
  );
  const rows = await base
    .select([
      'deals.id',
      'deals.name',
      'deals.amount_cents',
      'deals.currency',
      'deals.closed_at',
      'deals.prefill',
      'deals.owner_user_id',
      'accounts.name as account_name',
      'handoffs.fields',
    ])
    .orderBy('deals.closed_at', ownerUserId ? 'desc' : 'asc')
    .limit(LIST)
    .execute();
  const total = await count(base.select((eb) => eb.fn.countAll<number>().as('n')));
  return {
    list: rows.map((r) => ({
      dealId: r.id,
      dealName: r.name,
      accountName: r.account_name,
      amountCents: r.amount_cents,
      currency: r.currency,
      closedAt: r.closed_at,
      missing: missingFields(currentFields(r, r.fields === null ? undefined : { fields: r.fields })),
      ownerUserId: r.owner_user_id,
    })),
    more: Math.max(0, total - rows.length),
  };
}

/** A rep's home as of `today` (payments of the 30 days before `now`): handoffs to finish, their customers' overdue and disputed invoices, recent payments. */
const ASKS_SHOWN = 5;

/** The first few open asks as App Home shows them, and how many more there are. */
function shownAsks(asks: readonly OpenAsk[]): { asks: HomeAsk[]; moreAsks: number } {
  return {
    asks: asks.slice(0, ASKS_SHOWN).map((a) => ({
      askId: a.id,
      accountName: a.account_name,
      question: a.question,
      askedBy: a.asked_by,
      dueOn: a.due_on,
    })),
    moreAsks: Math.max(0, asks.length - ASKS_SHOWN),
  };
}

export async function loadRepHome(
  db: Db,
  teamId: string,
  userId: string,
  today: string,
  now: Date,
): Promise<RepHome> {
  const handoffs = await handoffList(db, teamId, userId);
  const problems = invoiceSelect(db)
    .where('accounts.team_id', '=', teamId)
    .where('accounts.owner_user_id', '=', userId)
    .where((eb) => eb.or([eb('invoices.due_on', '<', today), eb('invoices.dispute_state', '=', 'open')]));
  const rows = await problems.orderBy('invoices.due_on', 'asc').limit(LIST).execute();
  const total = await count(
    db
      .selectFrom('invoices')
      .innerJoin('accounts', 'accounts.id', 'invoices.account_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('invoices.status', '=', 'open')
      .where('accounts.team_id', '=', teamId)
      .where('accounts.owner_user_id', '=', userId)
      .where((eb) => eb.or([eb('invoices.due_on', '<', today), eb('invoices.dispute_state', '=', 'open')])),
  );
  const payments = await db
    .selectFrom('collection_updates')
    .innerJoin('accounts', 'accounts.id', 'collection_updates.account_id')
    .innerJoin('invoices', 'invoices.id', 'collection_updates.invoice_id')
    .select([
      'invoices.number',
      'invoices.currency',
      'invoices.status',
      'accounts.name',
      'collection_updates.amount_cents',
      'collection_updates.created_at',
    ])
    .where('collection_updates.team_id', '=', teamId)
    .where('collection_updates.kind', '=', 'payment_received')
    .where('collection_updates.created_at', '>', new Date(now.getTime() - RECENT_PAYMENTS_MS))
    .where('accounts.owner_user_id', '=', userId)
    .orderBy('collection_updates.created_at', 'desc')
    .limit(5)
    .execute();
  // Asks are few per rep: read them all (up to a hundred) to count the ones not shown.
  const asks = await openAsksOf(db, teamId, userId, 100);
  return {
    kind: 'rep',
    userId,
    ...shownAsks(asks),
    handoffs: handoffs.list,
    moreHandoffs: handoffs.more,
    problemInvoices: await homeInvoices(db, rows, today),
    moreProblemInvoices: Math.max(0, total - rows.length),
    recentPayments: payments.map(
      (p): HomePayment => ({
        invoiceNumber: p.number,
        accountName: p.name,
        amountCents: p.amount_cents ?? 0,
        currency: p.currency,
        at: p.created_at,
        paidInFull: p.status === 'paid',
      }),
    ),
  };
}

/**
 * AR's counts from the ledger's rollup and counters (kept by triggers, see migration
 * 2026-12-01T15-00-ledger-rollup) rather than by counting invoices and accounts on every render:
 * open disputes, open invoices due before `today`, accounts on credit hold.
 */
async function ledgerCounts(
  db: Db,
  teamId: string,
  today: string,
): Promise<{ disputeCount: number; overdueCount: number; holdCount: number }> {
  const row = await db
    .selectFrom('ledger_rollup')
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<number>('disputed_count'), eb.lit(0)).as('disputes'),
      eb.fn
        .coalesce(eb.fn.sum<number>('open_count').filterWhere('due_on', '<', today), eb.lit(0))
        .as('overdue'),
      eb
        .selectFrom('ledger_counters')
        .select('accounts_on_hold')
        .where('ledger_counters.team_id', '=', teamId)
        .as('holds'),
    ])
    .where('ledger_rollup.team_id', '=', teamId)
    .executeTakeFirstOrThrow();
  return {
    disputeCount: Number(row.disputes),
    overdueCount: Number(row.overdue),
    holdCount: Number(row.holds ?? 0),
  };
}

/** AR's home: the dispute queue, the oldest overdue, handoffs waiting on reps, accounts on hold. */
export async function loadArHome(db: Db, teamId: string, userId: string, today: string): Promise<ArHome> {
  const disputes = invoiceSelect(db)
    .where('invoices.team_id', '=', teamId)
    .where('invoices.dispute_state', '=', 'open');
  const overdue = invoiceSelect(db)
    .where('invoices.team_id', '=', teamId)
    .where('invoices.due_on', '<', today);
  const [disputeRows, overdueRows, counts, handoffs, holds] = await Promise.all([
    disputes.orderBy('invoices.updated_at', 'asc').limit(LIST).execute(),
    overdue.orderBy('invoices.due_on', 'asc').limit(LIST).execute(),
    ledgerCounts(db, teamId, today),
    handoffList(db, teamId, null),
    db
      .selectFrom('accounts')
      .select(['id', 'name', 'owner_user_id', 'credit_hold_since'])
      .where('team_id', '=', teamId)
      .where('credit_hold', '=', true)
      .orderBy('credit_hold_since', 'asc')
      .limit(LIST)
      .execute(),
  ]);
  const { disputeCount, overdueCount, holdCount } = counts;
  const asks = await openAsksForAr(db, teamId, 100);
  return {
    kind: 'ar',
    userId,
    ...shownAsks(asks),
    chart: null,
    disputes: await homeInvoices(db, disputeRows, today),
    moreDisputes: Math.max(0, disputeCount - disputeRows.length),
    oldestOverdue: await homeInvoices(db, overdueRows, today),
    moreOverdue: Math.max(0, overdueCount - overdueRows.length),
    handoffsWaiting: handoffs.list,
    moreHandoffsWaiting: handoffs.more,
    onHold: holds.map((h) => ({
      accountId: h.id,
      name: h.name,
      ownerUserId: h.owner_user_id,
      since: h.credit_hold_since,
    })),
    moreOnHold: Math.max(0, holdCount - holds.length),
  };
}
