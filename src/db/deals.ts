import type { ExpressionBuilder } from 'kysely';
import type { Account, Deal, Handoff, NewDeal, Queryable, Trx } from './schema.ts';

/**
 * A deal whose billing handoff is missing or incomplete, in a query that left-joins `handoffs`:
 * the one way every list of deals waiting for a handoff says it.
 */
export function handoffIncomplete(
  eb: ExpressionBuilder<{ handoffs: { deal_id: number | null; complete: boolean | null } }, 'handoffs'>,
) {
  return eb.or([eb('handoffs.deal_id', 'is', null), eb('handoffs.complete', '=', false)]);
}

/** Inserts the deal unless its CRM id is known; `created` says which happened. */
export async function insertDeal(db: Queryable, deal: NewDeal): Promise<{ deal: Deal; created: boolean }> {
  const inserted = await db
    .insertInto('deals')
    .values(deal)
    .onConflict((oc) => oc.columns(['team_id', 'crm_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { deal: inserted, created: true };
  const existing = await db
    .selectFrom('deals')
    .selectAll()
    .where('team_id', '=', deal.team_id)
    .where('crm_id', '=', deal.crm_id)
    .executeTakeFirstOrThrow();
  return { deal: existing, created: false };
}

export async function getDeal(db: Queryable, teamId: string, id: number): Promise<Deal | undefined> {
  return db
    .selectFrom('deals')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function lockDeal(db: Trx, teamId: string, id: number): Promise<Deal | undefined> {
  return db
    .selectFrom('deals')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function setDealOwner(db: Queryable, dealId: number, userId: string): Promise<void> {
  await db.updateTable('deals').set({ owner_user_id: userId }).where('id', '=', dealId).execute();
}

export interface DealContext {
  deal: Deal;
  account: Account;
  handoff: Handoff | undefined;
}

/** The deal with its account and handoff, all from one workspace. */
export async function getDealContext(
  db: Queryable,
  teamId: string,
  dealId: number,
): Promise<DealContext | undefined> {
  const deal = await getDeal(db, teamId, dealId);
  if (!deal) return undefined;
  const account = await db
    .selectFrom('accounts')
    .selectAll()
    .where('id', '=', deal.account_id)
    .executeTakeFirstOrThrow();
  const handoff = await db
    .selectFrom('handoffs')
    .selectAll()
    .where('deal_id', '=', dealId)
    .executeTakeFirst();
  return { deal, account, handoff };
}

export interface InvoiceDeal {
  deal: Deal;
  handoff: Handoff | undefined;
  /** The invoice names no deal: this is its account's latest deal. */
  fromLatestDeal: boolean;
}

/**
 * The deal an invoice bills, with its handoff: the invoice's own deal, else its account's latest
 * deal; undefined when the account has no deal in AR Bridge.
 */
export async function dealOfInvoice(
  db: Queryable,
  teamId: string,
  invoiceId: number,
): Promise<InvoiceDeal | undefined> {
  const invoice = await db
    .selectFrom('invoices')
    .select(['deal_id', 'account_id'])
    .where('team_id', '=', teamId)
    .where('id', '=', invoiceId)
    .executeTakeFirst();
  if (!invoice) return undefined;
  const deal =
    invoice.deal_id === null
      ? await db
          .selectFrom('deals')
          .selectAll()
          .where('team_id', '=', teamId)
          .where('account_id', '=', invoice.account_id)
          .orderBy('closed_at', 'desc')
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst()
      : await getDeal(db, teamId, invoice.deal_id);
  if (!deal) return undefined;
  const handoff = await db
    .selectFrom('handoffs')
    .selectAll()
    .where('deal_id', '=', deal.id)
    .executeTakeFirst();
  return { deal, handoff, fromLatestDeal: invoice.deal_id === null };
}

export interface OpenDeal {
  id: number;
  name: string;
  accountName: string;
  amountCents: number;
  currency: string;
  closedAt: Date;
  hasDraft: boolean;
}

/** The rep's deals whose handoff is missing or incomplete, most recent first. */
export async function dealsAwaitingHandoff(
  db: Queryable,
  teamId: string,
  userId: string,
  limit = 25,
): Promise<OpenDeal[]> {
  const rows = await db
    .selectFrom('deals')
    .innerJoin('accounts', 'accounts.id', 'deals.account_id')
    .leftJoin('handoffs', 'handoffs.deal_id', 'deals.id')
    .select([
      'deals.id',
      'deals.name',
      'accounts.name as accountName',
      'deals.amount_cents',
      'deals.currency',
      'deals.closed_at',
      'handoffs.deal_id as handoffDealId',
    ])
    .where('deals.team_id', '=', teamId)
    .where('deals.owner_user_id', '=', userId)
    .where(handoffIncomplete)
    .orderBy('deals.closed_at', 'desc')
    .orderBy('deals.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    accountName: r.accountName,
    amountCents: r.amount_cents,
    currency: r.currency,
    closedAt: r.closed_at,
    hasDraft: r.handoffDealId !== null,
  }));
}

/** What a reminder's guard checks at delivery: who owns the deal now, and whether its handoff is complete. */
export async function reminderGuardState(
  db: Queryable,
  dealId: number,
): Promise<{ owner_user_id: string | null; complete: boolean | null } | undefined> {
  return db
    .selectFrom('deals')
    .leftJoin('handoffs', 'handoffs.deal_id', 'deals.id')
    .select(['deals.owner_user_id', 'handoffs.complete'])
    .where('deals.id', '=', dealId)
    .executeTakeFirst();
}

/**
 * Nobody in Slack to own the deal its DM (`dmKey`) was for: it becomes unowned with no DM to edit,
 * so the finance notice's "I own this deal" button lets the right rep take it.
 */
export async function releaseUnreachableDeal(db: Queryable, dealId: number, dmKey: string): Promise<void> {
  await db
    .updateTable('deals')
    .set({ dm_key: null, owner_user_id: null })
    .where('id', '=', dealId)
    .where('dm_key', '=', dmKey)
    .execute();
}

/** This workspace's deal ids by CRM id, for the CRM ids given. */
export async function dealIdsByCrmId(
  db: Queryable,
  teamId: string,
  crmIds: readonly string[],
): Promise<Map<string, number>> {
  if (crmIds.length === 0) return new Map();
  const deals = await db
    .selectFrom('deals')
    .select(['id', 'crm_id'])
    .where('team_id', '=', teamId)
    .where('crm_id', 'in', crmIds)
    .execute();
  return new Map(deals.map((d) => [d.crm_id, d.id]));
}

/** Which message about the deal is its rep's DM to edit (its dedupe key). */
export async function setDealDmKey(db: Queryable, dealId: number, dmKey: string): Promise<void> {
  await db.updateTable('deals').set({ dm_key: dmKey }).where('id', '=', dealId).execute();
}

/** The first person to claim a deal nobody owns becomes its owner; a claimed deal is left as it is. */
export async function claimUnownedDeal(
  db: Queryable,
  teamId: string,
  dealId: number,
  userId: string,
): Promise<void> {
  await db
    .updateTable('deals')
    .set({ owner_user_id: userId })
    .where('team_id', '=', teamId)
    .where('id', '=', dealId)
    .where('owner_user_id', 'is', null)
    .execute();
}

/**
 * The deal moves to another rep: its reminders start over (a new cycle, so the old owner's
 * pending ones become moot) and the new owner's DM (`dmKey`) is the one to edit from now on.
 */
export async function passDeal(
  db: Queryable,
  deal: Pick<Deal, 'id' | 'nag_cycle'>,
  newOwner: string,
  dmKey: string,
): Promise<void> {
  await db
    .updateTable('deals')
    .set({
      owner_user_id: newOwner,
      owner_email: null,
      nags_sent: 0,
      last_nag_at: null,
      snoozed_until: null,
      nag_escalated_at: null,
      nag_cycle: deal.nag_cycle + 1,
      dm_key: dmKey,
    })
    .where('id', '=', deal.id)
    .execute();
}

/** No reminder about the deal before `until`. */
export async function snoozeDeal(db: Queryable, dealId: number, until: Date): Promise<void> {
  await db.updateTable('deals').set({ snoozed_until: until }).where('id', '=', dealId).execute();
}

export type ReminderCandidate = Deal & { account_name: string; acc_id: number; handoff_fields: unknown };

/**
 * Deals with an owner, no escalation yet, closed at or before `closedBy`, whose handoff is missing
 * or incomplete: the next `limit` after deal `afterId`, in id order (the reminder sweep pages through).
 */
export async function reminderCandidates(
  db: Queryable,
  closedBy: Date,
  afterId: number,
  limit: number,
  /** One workspace's deals only (multi-workspace mode sweeps each installed workspace). */
  teamId?: string,
): Promise<ReminderCandidate[]> {
  return db
    .selectFrom('deals')
    .innerJoin('accounts', 'accounts.id', 'deals.account_id')
    .leftJoin('handoffs', 'handoffs.deal_id', 'deals.id')
    .selectAll('deals')
    .select(['accounts.name as account_name', 'accounts.id as acc_id', 'handoffs.fields as handoff_fields'])
    .where('deals.owner_user_id', 'is not', null)
    .where('deals.nag_escalated_at', 'is', null)
    .where('deals.closed_at', '<=', closedBy)
    .where(handoffIncomplete)
    .where('deals.id', '>', afterId)
    .$if(teamId !== undefined, (q) => q.where('deals.team_id', '=', teamId as string))
    .orderBy('deals.id')
    .limit(limit)
    .execute();
}

/**
 * Claims reminder `n` of the deal's current cycle for its owner, at `at`: true for exactly one
 * caller, however many sweeps run at once; false when it was sent or the deal moved meanwhile.
 */
export async function claimReminder(
  db: Queryable,
  r: { dealId: number; n: number; nagCycle: number; ownerUserId: string; at: Date },
): Promise<boolean> {
  const claimed = await db
    .updateTable('deals')
    .set({ nags_sent: r.n, last_nag_at: r.at })
    .where('id', '=', r.dealId)
    .where('nags_sent', '=', r.n - 1)
    .where('nag_cycle', '=', r.nagCycle)
    .where('owner_user_id', '=', r.ownerUserId)
    .executeTakeFirst();
  return claimed.numUpdatedRows > 0n;
}

/** Claims the escalation of the deal's current reminder cycle, at `at`: true for exactly one caller. */
export async function claimEscalation(
  db: Queryable,
  r: { dealId: number; nagCycle: number; at: Date },
): Promise<boolean> {
  const claimed = await db
    .updateTable('deals')
    .set({ nag_escalated_at: r.at })
    .where('id', '=', r.dealId)
    .where('nag_escalated_at', 'is', null)
    .where('nag_cycle', '=', r.nagCycle)
    .executeTakeFirst();
  return claimed.numUpdatedRows > 0n;
}
