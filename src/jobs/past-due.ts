import { escalationNear, pingDecision, thresholdToPing } from '../domain/collections.ts';
import { dayIn } from '../domain/dates.ts';
import { accountThreadTarget } from '../flows/account-thread.ts';
import { lastUpdateOf } from '../flows/collection-updates.ts';
import { recomputeCreditHold } from '../flows/credit-hold.ts';
import { enqueue } from '../outbox/outbox.ts';
import { brokenPromisePing, pastDuePing } from '../views/collections-messages.ts';
import type { SweepDeps } from './handoff-nags.ts';

/** `today` minus `days`, as a date. */
function minusDays(today: string, days: number): string {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

const BATCH = 500;

/**
 * Pings owning reps about past-due invoices, once per invoice and threshold (`pastdue:<number>:<days>`),
 * pings a broken promise once, and puts accounts on credit hold when an invoice crosses
 * CREDIT_HOLD_DAYS. It reads only invoices due for something: per pinged threshold, a range of due
 * dates on a partial index, so its cost follows the invoices that newly cross a threshold.
 */
export async function runPastDueSweep(
  deps: SweepDeps,
  now: Date,
): Promise<{ pinged: number; brokenPromises: number; holds: number }> {
  const today = dayIn(deps.config.BUSINESS_TIMEZONE, now);
  const thresholds = deps.config.PAST_DUE_DAYS;
  let pinged = 0;
  let brokenPromises = 0;
  let afterId = 0;
  for (;;) {
    const candidates = await deps.db
      .selectFrom('invoices')
      .select('id')
      .where('status', '=', 'open')
      .where('dispute_state', '<>', 'open')
      .where((eb) =>
        eb.or([
          ...thresholds.map((t) =>
            eb.and([eb('pinged_threshold', '<', t), eb('due_on', '<=', minusDays(today, t))]),
          ),
          eb.and([
            eb('promise_date', 'is not', null),
            eb('promise_date', '<', today),
            eb('promise_broken_pinged', '=', false),
          ]),
        ]),
      )
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const { id } of candidates) {
      afterId = id;
      const outcome = await pingInvoice(deps, id, today, thresholds);
      if (outcome === 'past_due') pinged += 1;
      if (outcome === 'broken_promise') brokenPromises += 1;
    }
    if (candidates.length < BATCH) break;
  }
  const holds = await creditHoldCrossings(deps, today);
  if (pinged + brokenPromises + holds > 0) {
    deps.logger.info({ pinged, brokenPromises, holds, today }, 'past-due sweep');
    deps.notify();
  }
  return { pinged, brokenPromises, holds };
}

async function pingInvoice(
  deps: SweepDeps,
  invoiceId: number,
  today: string,
  thresholds: readonly number[],
): Promise<'past_due' | 'broken_promise' | null> {
  return deps.db.transaction().execute(async (trx) => {
    const inv = await trx
      .selectFrom('invoices')
      .selectAll()
      .where('id', '=', invoiceId)
      .forUpdate()
      .executeTakeFirst();
    if (!inv) return null;
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
    if (!decision) return null;
    const account = await trx
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', inv.account_id)
      .executeTakeFirstOrThrow();
    const target = await accountThreadTarget(deps, trx, account);
    const invoice = {
      number: inv.number,
      amountCents: inv.amount_cents,
      balanceCents: inv.balance_cents,
      currency: inv.currency,
      dueOn: inv.due_on,
      issuedOn: inv.issued_on,
    };
    if (decision.kind === 'broken_promise') {
      // The broken-promise ping covers the thresholds crossed while the promise held: no catch-up ping after it.
      const reached =
        thresholdToPing(decision.daysLate, thresholds, inv.pinged_threshold) ?? inv.pinged_threshold;
      await trx
        .updateTable('invoices')
        .set({ promise_broken_pinged: true, pinged_threshold: reached })
        .where('id', '=', inv.id)
        .execute();
      await enqueue(trx, {
        teamId: inv.team_id,
        dedupeKey: `promise:${inv.number}:${decision.promiseDate}:broken`,
        target,
        message: brokenPromisePing({
          invoiceId: inv.id,
          invoice,
          accountName: account.name,
          repUserId: account.owner_user_id,
          promiseDate: decision.promiseDate,
          daysLate: decision.daysLate,
        }),
      });
      return 'broken_promise';
    }
    await trx
      .updateTable('invoices')
      .set({ pinged_threshold: decision.threshold })
      .where('id', '=', inv.id)
      .execute();
    await enqueue(trx, {
      teamId: inv.team_id,
      dedupeKey: `pastdue:${inv.number}:${decision.threshold}`,
      target,
      message: pastDuePing({
        invoiceId: inv.id,
        invoice,
        accountName: account.name,
        repUserId: account.owner_user_id,
        daysLate: decision.daysLate,
        threshold: decision.threshold,
        escalationNear: escalationNear(decision.daysLate, deps.config.ESCALATE_AFTER_DAYS),
        lastUpdate: await lastUpdateOf(trx, inv.account_id, inv.id),
      }),
    });
    return 'past_due';
  });
}

/** Accounts with an open invoice that has just become CREDIT_HOLD_DAYS late get their hold recomputed. */
async function creditHoldCrossings(deps: SweepDeps, today: string): Promise<number> {
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
    return recomputeCreditHold(deps, trx, accounts, today);
  });
}
