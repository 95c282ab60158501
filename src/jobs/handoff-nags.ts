import { getPerson } from '../db/people.ts';
import type { Deps } from '../deps.ts';
import { currentFields, missingFields } from '../domain/handoff.ts';
import { dueNag, type NagPolicy } from '../domain/nag-schedule.ts';
import { repTimeZone } from '../flows/people.ts';
import { enqueue } from '../outbox/outbox.ts';
import { handoffEscalation, handoffReminderDm } from '../views/handoff-messages.ts';

export type SweepDeps = Pick<Deps, 'db' | 'config' | 'logger' | 'slack' | 'notify' | 'clock'>;

export function nagPolicy(config: SweepDeps['config']): NagPolicy {
  return {
    firstAfterHours: config.NAG_FIRST_AFTER_HOURS,
    everyHours: config.NAG_EVERY_HOURS,
    max: config.NAG_MAX,
    workHours: config.WORK_HOURS,
    workDays: config.WORK_DAYS,
  };
}

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
): Promise<{ reminded: number; escalated: number }> {
  const policy = nagPolicy(deps.config);
  const firstDue = new Date(now.getTime() - policy.firstAfterHours * 3_600_000);
  let reminded = 0;
  let escalated = 0;
  let afterId = 0;
  const zones = new Map<string, string>();
  for (;;) {
    const deals = await deps.db
      .selectFrom('deals')
      .innerJoin('accounts', 'accounts.id', 'deals.account_id')
      .leftJoin('handoffs', 'handoffs.deal_id', 'deals.id')
      .selectAll('deals')
      .select(['accounts.name as account_name', 'accounts.id as acc_id', 'handoffs.fields as handoff_fields'])
      .where('deals.owner_user_id', 'is not', null)
      .where('deals.nag_escalated_at', 'is', null)
      .where('deals.closed_at', '<=', firstDue)
      .where((eb) => eb.or([eb('handoffs.deal_id', 'is', null), eb('handoffs.complete', '=', false)]))
      .where('deals.id', '>', afterId)
      .orderBy('deals.id')
      .limit(BATCH)
      .execute();
    for (const deal of deals) {
      afterId = deal.id;
      const owner = deal.owner_user_id as string;
      // One look-up per rep and sweep, however many of their deals are waiting.
      const zoneKey = `${deal.team_id}:${owner}`;
      const tz = zones.get(zoneKey) ?? (await repTimeZone(deps, deal.team_id, owner));
      zones.set(zoneKey, tz);
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
      const queued = await deps.db.transaction().execute(async (trx) => {
        if (step.kind === 'remind') {
          const claimed = await trx
            .updateTable('deals')
            .set({ nags_sent: step.n, last_nag_at: now })
            .where('id', '=', deal.id)
            .where('nags_sent', '=', step.n - 1)
            .where('nag_cycle', '=', deal.nag_cycle)
            .where('owner_user_id', '=', owner)
            .executeTakeFirst();
          if (claimed.numUpdatedRows === 0n) return false;
          return enqueue(trx, {
            teamId: deal.team_id,
            dedupeKey: `handoff:${deal.id}:nag:${deal.nag_cycle}.${step.n}`,
            target: { kind: 'user', userId: owner },
            guard: { kind: 'handoff_incomplete', dealId: deal.id, ownerUserId: owner },
            message: handoffReminderDm({
              ...summary,
              now,
              n: step.n,
              max: policy.max,
              hasDraft: deal.handoff_fields !== null,
            }),
          });
        }
        const claimed = await trx
          .updateTable('deals')
          .set({ nag_escalated_at: now })
          .where('id', '=', deal.id)
          .where('nag_escalated_at', 'is', null)
          .where('nag_cycle', '=', deal.nag_cycle)
          .executeTakeFirst();
        if (claimed.numUpdatedRows === 0n) return false;
        const manager = (await getPerson(trx, deal.team_id, owner))?.manager_user_id ?? null;
        return enqueue(trx, {
          teamId: deal.team_id,
          dedupeKey: `handoff:${deal.id}:escalation:${deal.nag_cycle}`,
          target: { kind: 'account_thread', accountId: deal.acc_id, channel: deps.config.FINANCE_CHANNEL_ID },
          guard: { kind: 'handoff_incomplete', dealId: deal.id, ownerUserId: owner },
          message: handoffEscalation({
            ...summary,
            repUserId: owner,
            managerUserId: manager,
            reminders: deal.nags_sent,
          }),
        });
      });
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
