import { type ExpressionBuilder, sql } from 'kysely';
import { lastUpdatesOf } from '../db/collection-updates.ts';
import type { Account, Database } from '../db/schema.ts';
import { escalationNear, nextThresholdAbove, pingDecision, thresholdToPing } from '../domain/collections.ts';
import { dayIn } from '../domain/dates.ts';
import { accountThread, threadRootNotification } from '../flows/account-thread.ts';
import { recomputeCreditHold } from '../flows/credit-hold.ts';
import { enqueueMany, type NewNotification } from '../outbox/outbox.ts';
import { brokenPromisePing, collectionInvoice, pastDuePing } from '../views/collections-messages.ts';
import type { SweepDeps } from './handoff-nags.ts';

/** `today` minus `days`, as a date. */
function minusDays(today: string, days: number): string {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/** Invoices handled per transaction. */
const BATCH = 200;

/**
 * Which open invoices may be due for a ping today. For each threshold already pinged (0 = none),
 * one exact range of due dates on the partial index `invoices_ping_idx`: so the sweep reads the
 * invoices that newly crossed a threshold, not the whole table. Invoices whose promise to pay still
 * holds are left out; a promise that has just broken is picked up once.
 */
export function pingCandidates(today: string, thresholds: readonly number[]) {
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

/**
 * Pings owning reps about past-due invoices, once per invoice and threshold (`pastdue:<number>:<days>`),
 * pings a broken promise once, and puts accounts on credit hold when an invoice crosses
 * CREDIT_HOLD_DAYS. Batches of invoices are claimed with `FOR UPDATE SKIP LOCKED`, so replicas
 * sweeping together share the work; a conditional update per ping keeps each one single.
 */
export async function runPastDueSweep(
  deps: SweepDeps,
  now: Date,
): Promise<{ pinged: number; brokenPromises: number; holds: number }> {
  const today = dayIn(deps.config.BUSINESS_TIMEZONE, now);
  const thresholds = deps.config.PAST_DUE_DAYS;
  const candidates = await deps.db
    .selectFrom('invoices')
    .select('id')
    .where('status', '=', 'open')
    .where('dispute_state', '<>', 'open')
    .where(pingCandidates(today, thresholds))
    .execute();
  const ids = candidates.map((c) => c.id).sort((a, b) => a - b);
  let pinged = 0;
  let brokenPromises = 0;
  for (let i = 0; i < ids.length; i += BATCH) {
    const done = await pingBatch(deps, ids.slice(i, i + BATCH), today, thresholds);
    pinged += done.pinged;
    brokenPromises += done.brokenPromises;
  }
  const holds = await creditHoldCrossings(deps, now, today);
  if (pinged + brokenPromises + holds > 0) {
    deps.logger.info({ pinged, brokenPromises, holds, today }, 'past-due sweep');
    deps.notify();
  }
  return { pinged, brokenPromises, holds };
}

async function pingBatch(
  deps: SweepDeps,
  ids: number[],
  today: string,
  thresholds: readonly number[],
): Promise<{ pinged: number; brokenPromises: number }> {
  return deps.db.transaction().execute(async (trx) => {
    const invoices = await trx
      .selectFrom('invoices')
      .selectAll()
      .where('id', 'in', ids)
      .where('status', '=', 'open')
      .forUpdate()
      .skipLocked()
      .execute();
    const decided = invoices.flatMap((inv) => {
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

    const accountIds = [...new Set(decided.map((d) => d.inv.account_id))];
    const accounts = new Map(
      (await trx.selectFrom('accounts').selectAll().where('id', 'in', accountIds).execute()).map((a) => [
        a.id,
        a,
      ]),
    );
    const lastUpdates = await lastUpdatesOf(
      trx,
      decided
        .filter((d) => d.decision.kind === 'past_due')
        .map((d) => ({ id: d.inv.id, accountId: d.inv.account_id })),
    );

    const roots = new Map<number, NewNotification>();
    const posts: NewNotification[] = [];
    const newThreshold = new Map<number, number[]>();
    const broken: Array<{ id: number; reached: number }> = [];
    for (const { inv, decision } of decided) {
      const account = accounts.get(inv.account_id) as Account;
      if (!account.thread_ts && !roots.has(account.id))
        roots.set(account.id, threadRootNotification(deps, account));
      const invoice = collectionInvoice(inv);
      if (decision.kind === 'broken_promise') {
        // The broken-promise ping covers the thresholds crossed while the promise held: no catch-up ping after it.
        broken.push({
          id: inv.id,
          reached:
            thresholdToPing(decision.daysLate, thresholds, inv.pinged_threshold) ?? inv.pinged_threshold,
        });
        posts.push({
          teamId: inv.team_id,
          dedupeKey: `promise:${inv.number}:${decision.promiseDate}:broken`,
          target: accountThread(deps, account),
          message: brokenPromisePing({
            invoiceId: inv.id,
            invoice,
            accountName: account.name,
            repUserId: account.owner_user_id,
            promiseDate: decision.promiseDate,
            daysLate: decision.daysLate,
          }),
        });
        continue;
      }
      newThreshold.set(decision.threshold, [...(newThreshold.get(decision.threshold) ?? []), inv.id]);
      posts.push({
        teamId: inv.team_id,
        dedupeKey: `pastdue:${inv.number}:${decision.threshold}`,
        target: accountThread(deps, account),
        message: pastDuePing({
          invoiceId: inv.id,
          invoice,
          accountName: account.name,
          repUserId: account.owner_user_id,
          daysLate: decision.daysLate,
          threshold: decision.threshold,
          escalationNear: escalationNear(decision.daysLate, deps.config.ESCALATE_AFTER_DAYS),
          lastUpdate: lastUpdates.get(inv.id) ?? null,
        }),
      });
    }
    for (const [threshold, invoiceIds] of newThreshold) {
      await trx
        .updateTable('invoices')
        .set({ pinged_threshold: threshold })
        .where('id', 'in', invoiceIds)
        .where('pinged_threshold', '<', threshold)
        .execute();
    }
    for (const b of broken) {
      await trx
        .updateTable('invoices')
        .set({
          promise_broken_pinged: true,
          pinged_threshold: sql<number>`greatest(pinged_threshold, ${b.reached})`,
        })
        .where('id', '=', b.id)
        .execute();
    }
    // Roots first: a new thread's root is delivered before the replies to it.
    await enqueueMany(trx, [...roots.values(), ...posts]);
    return { pinged: posts.length - broken.length, brokenPromises: broken.length };
  });
}

/** Accounts with an open invoice that has just become CREDIT_HOLD_DAYS late get their hold recomputed. */
async function creditHoldCrossings(deps: SweepDeps, now: Date, today: string): Promise<number> {
  const holdDue = minusDays(today, deps.config.CREDIT_HOLD_DAYS);
  return deps.db.transaction().execute(async (trx) => {
    const crossed = await trx
      .updateTable('invoices')
      .set({ past_hold: true })
      .where('status', '=', 'open')
      .where('past_hold', '=', false)
      .where('due_on', '<=', holdDue)
      .returning('account_id')
      .execute();
    const accounts = [...new Set(crossed.map((r) => r.account_id))];
    return recomputeCreditHold(deps, trx, accounts, now);
  });
}
