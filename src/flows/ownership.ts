import type { WebClient } from '@slack/web-api';
import { moveAccountOwner, setAccountOwner, setAccountOwnerIfNone } from '../db/accounts.ts';
import {
  claimUnownedDeal,
  type DealContext,
  getDeal,
  getDealContext,
  lockDeal,
  passDeal,
  setDealOwner,
} from '../db/deals.ts';
import { getInvoiceWithAccount } from '../db/invoices.ts';
import { findPersonByEmail, upsertPerson } from '../db/people.ts';
import type { Db } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { currentFields, missingFields } from '../domain/handoff.ts';
import { isArStaff, mayEditHandoff } from '../domain/permissions.ts';
import { enqueue } from '../outbox/outbox.ts';
import { platformError } from '../slack/errors.ts';
import { repAssignedPost } from '../views/collections-messages.ts';
import { dealReassignedDm } from '../views/handoff-messages.ts';
import { accountThreadTarget } from './account-thread.ts';
import { refreshHomes } from './home.ts';
import { settingsFor } from './settings.ts';

/**
 * The deal's owning rep: its Slack user id, else the Slack user with the email the CRM gave
 * (known people first, then users.lookupByEmail), recorded as the owner of the deal and, when it
 * has none, of its account. Null when no Slack user matches; 'gone' when the deal no longer exists.
 * Other Slack errors (a rate limit, an outage) are thrown, for the caller to retry.
 */
export async function resolveDealOwner(
  deps: { db: Db; slack: WebClient },
  teamId: string,
  dealId: number,
): Promise<string | null | 'gone'> {
  const { db } = deps;
  const deal = await getDeal(db, teamId, dealId);
  if (!deal) return 'gone';
  if (deal.owner_user_id) return deal.owner_user_id;
  if (!deal.owner_email) return null;
  const userId =
    (await findPersonByEmail(db, teamId, deal.owner_email))?.user_id ??
    (await lookUpByEmail(deps, teamId, deal.owner_email));
  if (!userId) return null;
  await setDealOwner(db, dealId, userId);
  await setAccountOwnerIfNone(db, deal.account_id, userId);
  return userId;
}

/** The Slack user with this email, remembered as a person; null when Slack has none. */
async function lookUpByEmail(deps: { db: Db; slack: WebClient }, teamId: string, email: string) {
  try {
    const { user } = await deps.slack.users.lookupByEmail({ email });
    if (!user?.id) return null;
    await upsertPerson(deps.db, teamId, {
      userId: user.id,
      email,
      name: user.real_name ?? user.name ?? null,
      tz: user.tz ?? null,
    });
    return user.id;
  } catch (error) {
    if (platformError(error) === 'users_not_found') return null;
    throw error;
  }
}

export type AssignRepPrompt =
  | { status: 'not_found' }
  | { status: 'forbidden' }
  | { status: 'owned'; ownerUserId: string }
  | { status: 'ask'; accountId: number; accountName: string };

/** "Assign a rep" on an alert about an invoice: AR may pick the owner of an account nobody owns. */
export async function assignRepPrompt(
  deps: Pick<Deps, 'db' | 'config'>,
  teamId: string,
  userId: string,
  invoiceId: number,
): Promise<AssignRepPrompt> {
  const account = (await getInvoiceWithAccount(deps.db, teamId, invoiceId))?.account;
  if (!account) return { status: 'not_found' };
  if (!isArStaff(await settingsFor(deps, teamId), userId)) return { status: 'forbidden' };
  if (account.owner_user_id) return { status: 'owned', ownerUserId: account.owner_user_id };
  return { status: 'ask', accountId: account.id, accountName: account.name };
}

/**
 * AR records the account's owning rep: its alerts go to them from now on, and its thread says so
 * (once per modal). False when the account no longer exists.
 */
export async function assignAccountRep(
  deps: Pick<Deps, 'db' | 'config' | 'notify'>,
  a: { teamId: string; accountId: number; ownerUserId: string; byUserId: string; viewId: string },
): Promise<boolean> {
  const assigned = await deps.db.transaction().execute(async (trx) => {
    const account = await setAccountOwner(trx, a.teamId, a.accountId, a.ownerUserId);
    if (!account) return false;
    await enqueue(trx, {
      teamId: a.teamId,
      dedupeKey: `assign:${account.id}:${a.viewId}`,
      target: await accountThreadTarget(trx, account),
      message: repAssignedPost({ accountName: account.name, repUserId: a.ownerUserId, byUserId: a.byUserId }),
    });
    await refreshHomes(deps, trx, a.teamId, [a.ownerUserId]);
    return true;
  });
  if (assigned) deps.notify();
  return assigned;
}

export type ClaimResult =
  | { status: 'not_found' }
  | { status: 'taken'; ownerUserId: string | null }
  | { status: 'claimed'; ctx: DealContext };

/**
 * "I own this deal", on the finance-channel notice for a deal whose owner matched no Slack user:
 * the first person to claim it owns the deal (and its account, when that has no owner).
 */
export async function claimDeal(
  deps: Pick<Deps, 'db'>,
  teamId: string,
  userId: string,
  dealId: number,
): Promise<ClaimResult> {
  await claimUnownedDeal(deps.db, teamId, dealId, userId);
  const ctx = await getDealContext(deps.db, teamId, dealId);
  if (!ctx) return { status: 'not_found' };
  if (ctx.deal.owner_user_id !== userId) return { status: 'taken', ownerUserId: ctx.deal.owner_user_id };
  await setAccountOwnerIfNone(deps.db, ctx.account.id, userId);
  return { status: 'claimed', ctx };
}

export type ReassignResult = 'not_found' | 'forbidden' | 'done' | 'moved';

/**
 * "Not my deal": the deal moves to the chosen rep. Reminders start over for them, the old owner's
 * pending reminders become moot, the account follows unless someone else owns it, and the new
 * owner gets a DM with the handoff button (once per modal). 'done' when they already own it.
 */
export async function reassignDeal(
  deps: Pick<Deps, 'db' | 'config' | 'logger' | 'notify'>,
  r: { teamId: string; byUserId: string; dealId: number; newOwner: string; viewId: string },
): Promise<ReassignResult> {
  const outcome = await deps.db.transaction().execute(async (trx): Promise<ReassignResult> => {
    const locked = await lockDeal(trx, r.teamId, r.dealId);
    const ctx = locked && (await getDealContext(trx, r.teamId, r.dealId));
    if (!ctx) return 'not_found';
    if (ctx.deal.owner_user_id === r.newOwner) return 'done';
    if (!mayEditHandoff(await settingsFor(deps, r.teamId, trx), r.byUserId, ctx.deal)) return 'forbidden';
    const dmKey = `deal:${r.dealId}:reassigned:${r.viewId}`;
    await passDeal(trx, ctx.deal, r.newOwner, dmKey);
    await moveAccountOwner(trx, ctx.account.id, ctx.deal.owner_user_id, r.newOwner);
    await enqueue(trx, {
      teamId: r.teamId,
      dedupeKey: dmKey,
      target: { kind: 'user', userId: r.newOwner },
      message: dealReassignedDm({
        dealId: r.dealId,
        dealName: ctx.deal.name,
        accountName: ctx.account.name,
        amountCents: ctx.deal.amount_cents,
        currency: ctx.deal.currency,
        fromUserId: r.byUserId,
        missing: missingFields(currentFields(ctx.deal, ctx.handoff)),
      }),
    });
    deps.logger.info(
      { dealId: r.dealId, from: ctx.deal.owner_user_id, to: r.newOwner, by: r.byUserId },
      'deal reassigned',
    );
    return 'moved';
  });
  if (outcome === 'moved' || outcome === 'done') deps.notify();
  return outcome;
}
