import {
  type DealContext,
  dealsAwaitingHandoff,
  getDealContext,
  lockDeal,
  type OpenDeal,
  setDealDmKey,
} from '../db/deals.ts';
import { writeHandoff } from '../db/handoffs.ts';
import type { Trx } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import {
  diffHandoff,
  type HandoffFields,
  isComplete,
  missingFields,
  needsTermsApproval,
  parseStoredFields,
} from '../domain/handoff.ts';
import { mayEditHandoff } from '../domain/permissions.ts';
import { enqueue, type OutMessage, type Target } from '../outbox/outbox.ts';
import { handoffChanges, handoffStatusDm, handoffSummary } from '../views/handoff-messages.ts';
import { accountThread } from './account-thread.ts';
import { refreshHomes } from './home.ts';
import { settingsFor } from './settings.ts';

/** Whether someone may open a deal's billing handoff. */
export type DealAccess =
  | { status: 'not_found' }
  | { status: 'forbidden'; ctx: DealContext }
  | { status: 'ok'; ctx: DealContext };

/** The deal with its account and handoff, and whether this person may edit its handoff. */
export async function openDeal(
  deps: Pick<Deps, 'db' | 'config'>,
  teamId: string,
  userId: string,
  dealId: number,
): Promise<DealAccess> {
  const ctx = await getDealContext(deps.db, teamId, dealId);
  if (!ctx) return { status: 'not_found' };
  const settings = await settingsFor(deps, teamId);
  return mayEditHandoff(settings, userId, ctx.deal) ? { status: 'ok', ctx } : { status: 'forbidden', ctx };
}

/** The deal with its account and handoff (a modal being redrawn). */
export async function dealContext(
  deps: Pick<Deps, 'db'>,
  teamId: string,
  dealId: number,
): Promise<DealContext | undefined> {
  return getDealContext(deps.db, teamId, dealId);
}

/** What /handoff opens: the one deal waiting, a pick list of several, or the form for a new deal. */
export type HandoffChoice =
  | { kind: 'intake'; ctx: DealContext }
  | { kind: 'pick'; deals: OpenDeal[] }
  | { kind: 'new' };

/** The caller's deals waiting for a handoff, narrowed by `words` (deal or account name). */
export async function handoffChoice(
  deps: Pick<Deps, 'db'>,
  teamId: string,
  userId: string,
  words: string,
): Promise<HandoffChoice> {
  const all = await dealsAwaitingHandoff(deps.db, teamId, userId, 100);
  const wanted = words.trim().toLowerCase();
  const deals = wanted ? all.filter((d) => `${d.name} ${d.accountName}`.toLowerCase().includes(wanted)) : all;
  if (deals.length === 1 && deals[0]) {
    const ctx = await getDealContext(deps.db, teamId, deals[0].id);
    if (ctx) return { kind: 'intake', ctx };
  }
  return deals.length > 1 ? { kind: 'pick', deals } : { kind: 'new' };
}

export type SaveResult =
  | { status: 'saved'; complete: boolean; missing: string[]; version: number }
  | { status: 'unchanged'; complete: boolean; missing: string[]; version: number }
  | { status: 'not_found' }
  | { status: 'forbidden'; ownerUserId: string | null };

/**
 * Saves a handoff submission. The deal row is locked, so double clicks and concurrent submissions
 * serialise; a submission identical to what is saved changes nothing and posts nothing.
 */
export async function saveHandoff(
  deps: Pick<Deps, 'db' | 'config' | 'clock' | 'notify'>,
  input: { teamId: string; userId: string; dealId: number; fields: HandoffFields },
): Promise<SaveResult> {
  const now = deps.clock.now();
  const result = await deps.db.transaction().execute(async (trx): Promise<SaveResult> => {
    const deal = await lockDeal(trx, input.teamId, input.dealId);
    if (!deal) return { status: 'not_found' };
    const ctx = await getDealContext(trx, input.teamId, input.dealId);
    if (!ctx) return { status: 'not_found' };
    const settings = await settingsFor(deps, input.teamId, trx);
    if (!mayEditHandoff(settings, input.userId, ctx.deal))
      return { status: 'forbidden', ownerUserId: deal.owner_user_id };

    const previous = ctx.handoff;
    const before = previous ? parseStoredFields(previous.fields) : null;
    const complete = isComplete(input.fields);
    const missing = missingFields(input.fields);
    if (previous && before && diffHandoff(before, input.fields).length === 0) {
      return { status: 'unchanged', complete: previous.complete, missing, version: previous.version };
    }
    const saved = await writeHandoff(
      trx,
      {
        teamId: input.teamId,
        dealId: deal.id,
        fields: input.fields,
        complete,
        submittedBy: input.userId,
        at: now,
      },
      previous,
    );
    await announce(trx, settings.STANDARD_TERMS_DAYS, {
      ctx,
      before,
      after: input.fields,
      version: saved.version,
      userId: input.userId,
      now,
    });
    await refreshHomes(deps, trx, input.teamId, [deal.owner_user_id, input.userId]);
    return { status: 'saved', complete, missing, version: saved.version };
  });
  if (result.status === 'saved') deps.notify();
  return result;
}

/** Queues the finance-thread post and the rep's DM status for one saved version. */
async function announce(
  trx: Trx,
  standardTermsDays: number,
  a: {
    ctx: DealContext;
    before: HandoffFields | null;
    after: HandoffFields;
    version: number;
    userId: string;
    now: Date;
  },
): Promise<void> {
  const { deal, account } = a.ctx;
  const teamId = deal.team_id;
  const complete = isComplete(a.after);
  const missing = missingFields(a.after);
  const termsApproval = needsTermsApproval(a.after, standardTermsDays);
  const repUserId = deal.owner_user_id ?? a.userId;
  const base = {
    dealId: deal.id,
    dealName: deal.name,
    accountName: account.name,
    amountCents: deal.amount_cents,
    currency: deal.currency,
  };

  const threadMessage: OutMessage = a.before
    ? handoffChanges({
        dealName: deal.name,
        repUserId,
        changes: diffHandoff(a.before, a.after),
        complete,
        missing,
        termsApproval,
        becameComplete: complete && !isComplete(a.before),
      })
    : handoffSummary({
        ...base,
        closedAt: deal.closed_at,
        repUserId,
        fields: a.after,
        complete,
        missing,
        termsApproval,
        standardTermsDays,
      });
  await enqueue(trx, {
    teamId,
    dedupeKey: `handoff:${deal.id}:v${a.version}:thread`,
    // A deal's first handoff summary starts its account's thread when the account has none yet.
    target: a.before ? accountThread(account) : { ...accountThread(account), startsThread: true },
    message: threadMessage,
  });

  const statusDm = handoffStatusDm({ ...base, complete, missing, termsApproval, updatedAt: a.now });
  const dmKey = `handoff:${deal.id}:v${a.version}:dm`;
  await enqueue(trx, {
    teamId,
    dedupeKey: dmKey,
    target: await statusDmTarget(trx, deal, repUserId, dmKey),
    message: statusDm,
  });
}

/**
 * The rep's DM about the deal is edited in place: the deal-closed DM, or the DM of whoever the deal
 * was passed to, or the first status DM. Without one, a new DM is sent and becomes the one to edit.
 */
async function statusDmTarget(
  trx: Trx,
  deal: { id: number; dm_key: string | null },
  repUserId: string,
  dedupeKey: string,
): Promise<Target> {
  if (deal.dm_key) return { kind: 'update', of: deal.dm_key };
  await setDealDmKey(trx, deal.id, dedupeKey);
  return { kind: 'user', userId: repUserId };
}
