import { claimEscalation, claimReminder, type ReminderCandidate, reminderCandidates } from '../db/deals.ts';
import { getPerson } from '../db/people.ts';
import type { Trx } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { currentFields, missingFields } from '../domain/handoff.ts';
import { dueNag, type NagPolicy, type NagStep, nagPolicy } from '../domain/nag-schedule.ts';
import { accountThread } from '../flows/account-thread.ts';
import { repTimeZone } from '../flows/people.ts';
import { settingsFor, sweepScopes } from '../flows/settings.ts';
import { enqueue } from '../outbox/outbox.ts';
import { handoffEscalation, handoffReminderDm } from '../views/handoff-messages.ts';

export type SweepDeps = Pick<Deps, 'db' | 'config' | 'logger' | 'workspaces' | 'notify' | 'clock'>;

const BATCH = 500;

/**
 * Reminds reps of incomplete handoffs that are due, and escalates after the last reminder. Run once
 * per call (node-cron, `npm run sweep`, tests with a fixed `now`). Each reminder is claimed with a
 * conditional update of the deal's reminder count and queued under `handoff:<deal>:nag:<cycle>.<n>` in the
 * same transaction, so replicas sweeping at once, or a re-run after a crash, send it once.
 */
export async function runHandoffNagSweep(
  deps: SweepDeps,
  now: Date,
  teamId?: string,
): Promise<{ reminded: number; escalated: number }> {
  // Each workspace has its own policy: read the deals the earliest first reminder covers.
  const policies =
    teamId === undefined
      ? (await sweepScopes(deps)).map((s) => s.settings)
      : [await settingsFor(deps, teamId)];
  const earliest = Math.min(...policies.map((s) => s.NAG_FIRST_AFTER_HOURS));
  const firstDue = new Date(now.getTime() - earliest * 3_600_000);
  let reminded = 0;
  let escalated = 0;
  let afterId = 0;
  const zones = new Map<string, string>();
  for (;;) {
    const deals = await reminderCandidates(deps.db, firstDue, afterId, BATCH, teamId);
    for (const deal of deals) {
      afterId = deal.id;
      const owner = deal.owner_user_id as string;
      // One look-up per rep and sweep, however many of their deals are waiting.
      const zoneKey = `${deal.team_id}:${owner}`;
      const tz = zones.get(zoneKey) ?? (await repTimeZone(deps, deal.team_id, owner));
      zones.set(zoneKey, tz);
      const policy = nagPolicy(await settingsFor(deps, deal.team_id));
      const step = dueNag(
        {
          closedAt: deal.closed_at,
          complete: false,
          remindersSent: deal.nags_sent,
          lastReminderAt: deal.last_nag_at,
          snoozedUntil: deal.snoozed_until,
          escalated: false,
        },
        tz,
        policy,
        now,
      );
      if (!step) continue;
      const queued = await deps.db.transaction().execute((trx) => queueStep(trx, deal, step, policy, now));
      if (!queued) continue;
      if (step.kind === 'remind') reminded += 1;
      else escalated += 1;
    }
    if (deals.length < BATCH) break;
  }
  if (reminded + escalated > 0) {
    deps.logger.info({ reminded, escalated, at: now.toISOString() }, 'handoff reminder sweep');
    deps.notify();
  }
  return { reminded, escalated };
}

/** Claims the step and queues its message: the rep's reminder DM, or the escalation in the account thread. */
async function queueStep(
  trx: Trx,
  deal: ReminderCandidate,
  step: NonNullable<NagStep>,
  policy: NagPolicy,
  now: Date,
): Promise<boolean> {
  const owner = deal.owner_user_id as string;
  const fields = currentFields(
    deal,
    deal.handoff_fields === null ? undefined : { fields: deal.handoff_fields },
  );
  const summary = {
    dealId: deal.id,
    dealName: deal.name,
    accountName: deal.account_name,
    amountCents: deal.amount_cents,
    currency: deal.currency,
    closedAt: deal.closed_at,
    missing: missingFields(fields),
  };
  const guard = { kind: 'handoff_incomplete' as const, dealId: deal.id, ownerUserId: owner };
  if (step.kind === 'remind') {
    const claim = { dealId: deal.id, n: step.n, nagCycle: deal.nag_cycle, ownerUserId: owner, at: now };
    if (!(await claimReminder(trx, claim))) return false;
    return enqueue(trx, {
      teamId: deal.team_id,
      dedupeKey: `handoff:${deal.id}:nag:${deal.nag_cycle}.${step.n}`,
      target: { kind: 'user', userId: owner },
      guard,
      message: handoffReminderDm({
        ...summary,
        now,
        n: step.n,
        max: policy.max,
        hasDraft: deal.handoff_fields !== null,
      }),
    });
  }
  if (!(await claimEscalation(trx, { dealId: deal.id, nagCycle: deal.nag_cycle, at: now }))) return false;
  const manager = (await getPerson(trx, deal.team_id, owner))?.manager_user_id ?? null;
  return enqueue(trx, {
    teamId: deal.team_id,
    dedupeKey: `handoff:${deal.id}:escalation:${deal.nag_cycle}`,
    target: accountThread({ id: deal.acc_id }),
    guard,
    message: handoffEscalation({
      ...summary,
      repUserId: owner,
      managerUserId: manager,
      reminders: deal.nags_sent,
    }),
  });
}
