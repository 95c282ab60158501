/**
 * What the weekly digest reads: who gets one (managers and their teams), the facts its figures
 * are computed from (src/domain/digest.ts), for one workspace and either a set of reps (a
 * manager's team) or everyone; and the claim that makes each digest go out once.
 */
import type {
  DigestWeek,
  DisputeFact,
  DsoPaymentFact,
  HandoffFact,
  IssuedFact,
  OpenInvoiceFact,
  PaymentFact,
} from '../domain/digest.ts';
import { handoffIncomplete } from './deals.ts';
import type { Queryable, Trx } from './schema.ts';

/** Whose figures: everyone's (null), or the accounts and deals these reps own. */
export type DigestScope = readonly string[] | null;

/** A manager and the people who report to them, with the manager's Slack time zone when known. */
export interface DigestManager {
  userId: string;
  tz: string | null;
  team: string[];
}

/** Everyone who manages somebody, as import:people recorded it. */
export async function digestManagers(db: Queryable, teamId: string): Promise<DigestManager[]> {
  const rows = await db
    .selectFrom('people as report')
    .leftJoin('people as manager', (j) =>
      j
        .onRef('manager.team_id', '=', 'report.team_id')
        .onRef('manager.user_id', '=', 'report.manager_user_id'),
    )
    .select(['report.user_id', 'report.manager_user_id', 'manager.tz'])
    .where('report.team_id', '=', teamId)
    .where('report.manager_user_id', 'is not', null)
    .orderBy('report.manager_user_id')
    .orderBy('report.user_id')
    .execute();
  const managers = new Map<string, DigestManager>();
  for (const r of rows) {
    const id = r.manager_user_id as string;
    const m = managers.get(id) ?? { userId: id, tz: r.tz, team: [] };
    m.team.push(r.user_id);
    managers.set(id, m);
  }
  return [...managers.values()];
}

const DAY_MS = 86_400_000;
/** How far back the DSO trend reads: its 8 weekly points and the 91 days of sales before the first. */
const DSO_HORIZON_DAYS = 7 * 7 + 91 + 1;

/** Open invoices per owner, currency and due date (overdue by rep, and the aging chart). */
export async function openInvoiceFacts(
  db: Queryable,
  teamId: string,
  scope: DigestScope,
): Promise<OpenInvoiceFact[]> {
  if (scope !== null && scope.length === 0) return [];
  const rows = await db
    .selectFrom('invoices')
    .innerJoin('accounts', 'accounts.id', 'invoices.account_id')
    .select((eb) => [
      'accounts.owner_user_id',
      'invoices.currency',
      'invoices.due_on',
      eb.fn.sum<string>('invoices.balance_cents').as('balance'),
      eb.fn.countAll<string>().as('n'),
    ])
    .where('invoices.team_id', '=', teamId)
    .where('invoices.status', '=', 'open')
    .groupBy(['accounts.owner_user_id', 'invoices.currency', 'invoices.due_on'])
    .$if(scope !== null, (q) => q.where('accounts.owner_user_id', 'in', scope as string[]))
    .execute();
  return rows.map((r) => ({
    ownerUserId: r.owner_user_id,
    currency: r.currency,
    dueOn: r.due_on,
    balanceCents: Number(r.balance),
    count: Number(r.n),
  }));
}

async function handoffFacts(
  db: Queryable,
  teamId: string,
  scope: DigestScope,
  week: DigestWeek,
): Promise<HandoffFact[]> {
  const rows = await db
    .selectFrom('deals')
    .leftJoin('handoffs', 'handoffs.deal_id', 'deals.id')
    .select(['deals.id', 'deals.owner_user_id', 'deals.closed_at', 'handoffs.completed_at'])
    .where('deals.team_id', '=', teamId)
    .where((eb) =>
      eb.or([
        eb.and([eb('deals.closed_at', '>=', week.start), eb('deals.closed_at', '<', week.end)]),
        eb.and([eb('handoffs.completed_at', '>=', week.start), eb('handoffs.completed_at', '<', week.end)]),
      ]),
    )
    .$if(scope !== null, (q) => q.where('deals.owner_user_id', 'in', scope as string[]))
    .execute();
  return rows.map((r) => ({
    dealId: r.id,
    ownerUserId: r.owner_user_id,
    closedAt: r.closed_at,
    completedAt: r.completed_at,
  }));
}

async function incompleteFacts(db: Queryable, teamId: string, scope: DigestScope, week: DigestWeek) {
  const rows = await db
    .selectFrom('deals')
    .leftJoin('handoffs', 'handoffs.deal_id', 'deals.id')
    .select((eb) => ['deals.owner_user_id', eb.fn.countAll<string>().as('n')])
    .where('deals.team_id', '=', teamId)
    .where('deals.owner_user_id', 'is not', null)
    .where('deals.closed_at', '<', week.end)
    .where(handoffIncomplete)
    .groupBy('deals.owner_user_id')
    .$if(scope !== null, (q) => q.where('deals.owner_user_id', 'in', scope as string[]))
    .execute();
  return rows.map((r) => ({ ownerUserId: r.owner_user_id, count: Number(r.n) }));
}

/** Payments logged from `since`, with their invoice's currency and issue day. */
async function paymentsSince(db: Queryable, teamId: string, scope: DigestScope, since: Date, until: Date) {
  return db
    .selectFrom('collection_updates')
    .innerJoin('invoices', 'invoices.id', 'collection_updates.invoice_id')
    .innerJoin('accounts', 'accounts.id', 'invoices.account_id')
    .select([
      'invoices.currency',
      'invoices.issued_on',
      'invoices.status',
      'collection_updates.amount_cents',
      'collection_updates.created_at',
    ])
    .where('collection_updates.team_id', '=', teamId)
    .where('collection_updates.kind', '=', 'payment_received')
    .where('collection_updates.amount_cents', 'is not', null)
    .where('collection_updates.created_at', '>=', since)
    .where('collection_updates.created_at', '<', until)
    .$if(scope !== null, (q) => q.where('accounts.owner_user_id', 'in', scope as string[]))
    .execute();
}

async function disputeFacts(
  db: Queryable,
  teamId: string,
  scope: DigestScope,
  week: DigestWeek,
): Promise<DisputeFact[]> {
  const rows = await db
    .selectFrom('collection_updates')
    .innerJoin('accounts', 'accounts.id', 'collection_updates.account_id')
    .select(['collection_updates.dispute_reason', 'collection_updates.created_at'])
    .where('collection_updates.team_id', '=', teamId)
    .where('collection_updates.kind', '=', 'dispute_opened')
    .where('collection_updates.created_at', '>=', week.start)
    .where('collection_updates.created_at', '<', week.end)
    .$if(scope !== null, (q) => q.where('accounts.owner_user_id', 'in', scope as string[]))
    .execute();
  return rows.map((r) => ({ reason: r.dispute_reason, at: r.created_at }));
}

/** Non-void invoices per currency and issue day: those of the DSO horizon, and older ones still open. */
async function issuedFacts(
  db: Queryable,
  teamId: string,
  scope: DigestScope,
  fromDay: string,
): Promise<IssuedFact[]> {
  const rows = await db
    .selectFrom('invoices')
    .innerJoin('accounts', 'accounts.id', 'invoices.account_id')
    .select((eb) => [
      'invoices.currency',
      'invoices.issued_on',
      eb.fn.sum<string>('invoices.amount_cents').as('amount'),
      eb.fn.sum<string>('invoices.balance_cents').as('balance'),
    ])
    .where('invoices.team_id', '=', teamId)
    .where('invoices.status', '!=', 'void')
    .where((eb) => eb.or([eb('invoices.issued_on', '>=', fromDay), eb('invoices.balance_cents', '>', 0)]))
    .groupBy(['invoices.currency', 'invoices.issued_on'])
    .$if(scope !== null, (q) => q.where('accounts.owner_user_id', 'in', scope as string[]))
    .execute();
  return rows.map((r) => ({
    currency: r.currency,
    issuedOn: r.issued_on,
    amountCents: Number(r.amount),
    balanceCents: Number(r.balance),
  }));
}

/** Everything the figures of one digest are computed from (see src/domain/digest.ts digestFigures). */
export async function digestFacts(db: Queryable, teamId: string, scope: DigestScope, week: DigestWeek) {
  if (scope !== null && scope.length === 0) {
    return {
      handoffs: [],
      incomplete: [],
      open: [],
      payments: [],
      disputes: [],
      issued: [],
      dsoPayments: [],
    };
  }
  const horizon = new Date(week.end.getTime() - DSO_HORIZON_DAYS * DAY_MS);
  const horizonDay = horizon.toISOString().slice(0, 10);
  const paid = await paymentsSince(
    db,
    teamId,
    scope,
    new Date(week.end.getTime() - 8 * 7 * DAY_MS),
    week.end,
  );
  const payments: PaymentFact[] = paid
    .filter((p) => p.created_at >= week.start)
    .map((p) => ({ currency: p.currency, amountCents: p.amount_cents as number, at: p.created_at }));
  const dsoPayments: DsoPaymentFact[] = paid
    .filter((p) => p.status !== 'void')
    .map((p) => ({
      currency: p.currency,
      issuedOn: p.issued_on,
      amountCents: p.amount_cents as number,
      at: p.created_at,
    }));
  return {
    handoffs: await handoffFacts(db, teamId, scope, week),
    incomplete: await incompleteFacts(db, teamId, scope, week),
    open: await openInvoiceFacts(db, teamId, scope),
    payments,
    disputes: await disputeFacts(db, teamId, scope, week),
    issued: await issuedFacts(db, teamId, scope, horizonDay),
    dsoPayments,
  };
}

/** Records that this reader's digest for this occurrence is being sent: true once, whoever asks. */
export async function claimDigest(
  trx: Trx,
  claim: { teamId: string; reader: string; occurrence: string; week: DigestWeek },
): Promise<boolean> {
  const row = await trx
    .insertInto('digests')
    .values({
      team_id: claim.teamId,
      reader: claim.reader,
      occurrence: claim.occurrence,
      week_start: claim.week.start,
      week_end: claim.week.end,
    })
    .onConflict((oc) => oc.columns(['team_id', 'reader', 'occurrence']).doNothing())
    .returning('reader')
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether this reader's digest for this occurrence was sent (or is on its way). */
export async function digestClaimed(
  db: Queryable,
  teamId: string,
  reader: string,
  occurrence: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('digests')
    .select('reader')
    .where('team_id', '=', teamId)
    .where('reader', '=', reader)
    .where('occurrence', '=', occurrence)
    .executeTakeFirst();
  return row !== undefined;
}

/** Open balances of the whole workspace per currency and due date, from the ledger rollup (AR's aging chart). */
export async function workspaceOpenFacts(db: Queryable, teamId: string): Promise<OpenInvoiceFact[]> {
  const rows = await db
    .selectFrom('ledger_rollup')
    .select(['currency', 'due_on', 'open_cents', 'open_count'])
    .where('team_id', '=', teamId)
    .where('open_count', '>', 0)
    .execute();
  return rows.map((r) => ({
    ownerUserId: null,
    currency: r.currency,
    dueOn: r.due_on,
    balanceCents: Number(r.open_cents),
    count: Number(r.open_count),
  }));
}
