import { getAccountsByIds } from '../db/accounts.ts';
import { type LastCollectionUpdate, lastUpdatesOf } from '../db/collection-updates.ts';
import {
  lockOpenInvoices,
  markPastHold,
  type PingRecord,
  pingCandidateIds,
  recordPings,
} from '../db/invoices.ts';
import type { Account, Invoice, TeamScope } from '../db/schema.ts';
import { escalationNear, type PingDecision, pingDecision, thresholdToPing } from '../domain/collections.ts';
import { dayIn } from '../domain/dates.ts';
import type { WorkspaceSettings } from '../domain/settings.ts';
import { accountThread, threadRootNotification } from '../flows/account-thread.ts';
import { recomputeCreditHold } from '../flows/credit-hold.ts';
import { settingsFor, sweepScopes } from '../flows/settings.ts';
import { enqueueMany, type NewNotification } from '../outbox/outbox.ts';
import { brokenPromisePing, collectionInvoice, pastDuePing } from '../views/collections-messages.ts';
import type { SweepDeps } from './handoff-nags.ts';

/** Invoices handled per transaction. */
const BATCH = 200;

/**
 * Pings owning reps about past-due invoices, once per invoice and threshold (`pastdue:<number>:<days>`),
 * pings a broken promise once, and puts accounts on credit hold when an invoice crosses
 * CREDIT_HOLD_DAYS. Batches of invoices are claimed with `FOR UPDATE SKIP LOCKED`, so replicas
 * sweeping together share the work; a conditional update per ping keeps each one single.
 */
export async function runPastDueSweep(
  deps: SweepDeps,
  now: Date,
  teamId?: string,
): Promise<{ pinged: number; brokenPromises: number; holds: number }> {
  const total = { pinged: 0, brokenPromises: 0, holds: 0 };
  // One workspace (multi-workspace mode sweeps each installed one), else every workspace in groups.
  const scopes =
    teamId === undefined
      ? await sweepScopes(deps)
      : [{ scope: { only: teamId } as TeamScope, settings: await settingsFor(deps, teamId) }];
  for (const { scope, settings } of scopes) {
    const done = await sweepScope(deps, scope, settings, now);
    total.pinged += done.pinged;
    total.brokenPromises += done.brokenPromises;
    total.holds += done.holds;
  }
  if (total.pinged + total.brokenPromises + total.holds > 0) deps.notify();
  return total;
}

/** The sweep over some workspaces that share these settings. */
async function sweepScope(
  deps: SweepDeps,
  scope: TeamScope,
  settings: WorkspaceSettings,
  now: Date,
): Promise<{ pinged: number; brokenPromises: number; holds: number }> {
  const today = dayIn(settings.BUSINESS_TIMEZONE, now);
  const thresholds = settings.PAST_DUE_DAYS;
  const ids = await pingCandidateIds(deps.db, today, thresholds, scope);
  let pinged = 0;
  let brokenPromises = 0;
  for (let i = 0; i < ids.length; i += BATCH) {
    const done = await pingBatch(deps, ids.slice(i, i + BATCH), today, settings);
    pinged += done.pinged;
    brokenPromises += done.brokenPromises;
  }
  const holds = await deps.db.transaction().execute(async (trx) => {
    const crossed = await markPastHold(trx, today, settings.CREDIT_HOLD_DAYS, scope);
    return recomputeCreditHold(deps, trx, crossed, now);
  });
  if (pinged + brokenPromises + holds > 0)
    deps.logger.info({ pinged, brokenPromises, holds, today, scope }, 'past-due sweep');
  return { pinged, brokenPromises, holds };
}

type Decided = { inv: Invoice; decision: NonNullable<PingDecision> };

/** One batch in one transaction: decide, record what was pinged, queue the pings (thread roots first). */
async function pingBatch(
  deps: SweepDeps,
  ids: number[],
  today: string,
  settings: WorkspaceSettings,
): Promise<{ pinged: number; brokenPromises: number }> {
  const thresholds = settings.PAST_DUE_DAYS;
  return deps.db.transaction().execute(async (trx) => {
    const decided = (await lockOpenInvoices(trx, ids)).flatMap((inv): Decided[] => {
      const decision = pingDecision(
        {
          status: inv.status,
          balanceCents: inv.balance_cents,
          dueOn: inv.due_on,
          disputeState: inv.dispute_state,
          pingedThreshold: inv.pinged_threshold,
          promiseDate: inv.promise_date,
          promiseBrokenPinged: inv.promise_broken_pinged,
        },
        today,
        thresholds,
      );
      return decision ? [{ inv, decision }] : [];
    });
    if (decided.length === 0) return { pinged: 0, brokenPromises: 0 };
    const accounts = new Map(
      (await getAccountsByIds(trx, [...new Set(decided.map((d) => d.inv.account_id))])).map((a) => [a.id, a]),
    );
    const lastUpdates = await lastUpdatesOf(
      trx,
      decided
        .filter((d) => d.decision.kind === 'past_due')
        .map((d) => ({ id: d.inv.id, accountId: d.inv.account_id })),
    );
    const roots = new Map<number, NewNotification>();
    const posts: NewNotification[] = [];
    const pinged: PingRecord[] = [];
    let broken = 0;
    for (const { inv, decision } of decided) {
      const account = accounts.get(inv.account_id) as Account;
      if (!account.thread_ts && !roots.has(account.id))
        roots.set(account.id, threadRootNotification(account));
      posts.push(pingPost(settings, inv, account, decision, lastUpdates.get(inv.id) ?? null));
      if (decision.kind === 'broken_promise') {
        // The broken-promise ping covers the thresholds crossed while the promise held: no catch-up ping after it.
        const reached =
          thresholdToPing(decision.daysLate, thresholds, inv.pinged_threshold) ?? inv.pinged_threshold;
        pinged.push({ id: inv.id, threshold: reached, promiseBroken: true });
        broken += 1;
      } else {
        pinged.push({ id: inv.id, threshold: decision.threshold, promiseBroken: false });
      }
    }
    await recordPings(trx, pinged);
    // Roots first: a new thread's root is delivered before the replies to it.
    await enqueueMany(trx, [...roots.values(), ...posts]);
    return { pinged: posts.length - broken, brokenPromises: broken };
  });
}

function pingPost(
  settings: WorkspaceSettings,
  inv: Invoice,
  account: Account,
  decision: NonNullable<PingDecision>,
  lastUpdate: LastCollectionUpdate | null,
): NewNotification {
  const about = {
    invoiceId: inv.id,
    invoice: collectionInvoice(inv),
    accountName: account.name,
    repUserId: account.owner_user_id,
    daysLate: decision.daysLate,
  };
  if (decision.kind === 'broken_promise') {
    return {
      teamId: inv.team_id,
      dedupeKey: `promise:${inv.number}:${decision.promiseDate}:broken`,
      target: accountThread(account),
      message: brokenPromisePing({ ...about, promiseDate: decision.promiseDate }),
    };
  }
  return {
    teamId: inv.team_id,
    dedupeKey: `pastdue:${inv.number}:${decision.threshold}`,
    target: accountThread(account),
    message: pastDuePing({
      ...about,
      threshold: decision.threshold,
      escalationNear: escalationNear(decision.daysLate, settings.ESCALATE_AFTER_DAYS),
      lastUpdate,
    }),
  };
}
