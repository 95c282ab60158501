import { claimAskEscalation, claimAskReminder, dueAsks, type OpenAsk } from '../db/asks.ts';
import { getInvoice } from '../db/invoices.ts';
import { getPerson } from '../db/people.ts';
import { dueAskStep } from '../domain/asks.ts';
import { dayIn } from '../domain/dates.ts';
import { nagPolicy } from '../domain/nag-schedule.ts';
import { accountThread } from '../flows/account-thread.ts';
import { repTimeZone } from '../flows/people.ts';
import { settingsFor } from '../flows/settings.ts';
import { enqueue } from '../outbox/outbox.ts';
import { askEscalationPost, askReminderDm } from '../views/asks.ts';
import type { SweepDeps } from './handoff-nags.ts';

const BATCH = 500;

/**
 * Open asks to reps: from the due day, one reminder a day in the rep's working hours (their own
 * time zone, WORK_HOURS and WORK_DAYS); the day after, one escalation to their manager in the
 * account's thread and by DM. Each step is claimed on the ask and queued in the same transaction.
 */
export async function runAskSweep(
  deps: SweepDeps,
  now: Date,
  teamId?: string,
): Promise<{ reminded: number; escalated: number }> {
  // Time zones ahead of the business one may already be on the next day.
  const latest = dayIn('Pacific/Kiritimati', now);
  let reminded = 0;
  let escalated = 0;
  let afterId = 0;
  for (;;) {
    const asks = await dueAsks(deps.db, latest, afterId, BATCH, teamId);
    for (const ask of asks) {
      afterId = ask.id;
      const rep = ask.asked_of as string;
      const tz = await repTimeZone(deps, ask.team_id, rep);
      const manager = (await getPerson(deps.db, ask.team_id, rep))?.manager_user_id ?? null;
      const working = nagPolicy(await settingsFor(deps, ask.team_id));
      const step = dueAskStep(
        {
          dueOn: ask.due_on,
          lastReminderOn: ask.last_reminder_on,
          escalated: ask.escalated_at !== null,
          hasManager: manager !== null,
        },
        tz,
        working,
        now,
      );
      if (step === 'remind' && (await remind(deps, ask, dayIn(tz, now)))) reminded += 1;
      if (step === 'escalate' && manager && (await escalate(deps, ask, manager, now))) escalated += 1;
    }
    if (asks.length < BATCH) break;
  }
  if (reminded + escalated > 0) deps.notify();
  return { reminded, escalated };
}

async function aboutOf(deps: SweepDeps, ask: OpenAsk) {
  const invoice =
    ask.invoice_id === null ? undefined : await getInvoice(deps.db, ask.team_id, ask.invoice_id);
  return { ask, accountName: ask.account_name, invoiceNumber: invoice?.number ?? null };
}

async function remind(deps: SweepDeps, ask: OpenAsk, day: string): Promise<boolean> {
  const about = await aboutOf(deps, ask);
  return deps.db.transaction().execute(async (trx) => {
    if (!(await claimAskReminder(trx, ask.id, day))) return false;
    return enqueue(trx, {
      teamId: ask.team_id,
      dedupeKey: `ask:${ask.id}:remind:${day}`,
      target: { kind: 'user', userId: ask.asked_of as string },
      message: askReminderDm(about),
    });
  });
}

async function escalate(deps: SweepDeps, ask: OpenAsk, managerUserId: string, now: Date): Promise<boolean> {
  const about = await aboutOf(deps, ask);
  const message = askEscalationPost({ ...about, managerUserId });
  return deps.db.transaction().execute(async (trx) => {
    if (!(await claimAskEscalation(trx, ask.id, now))) return false;
    await enqueue(trx, {
      teamId: ask.team_id,
      dedupeKey: `ask:${ask.id}:escalate`,
      target: accountThread({ id: ask.account_id }),
      message,
    });
    await enqueue(trx, {
      teamId: ask.team_id,
      dedupeKey: `ask:${ask.id}:escalate:dm`,
      target: { kind: 'user', userId: managerUserId },
      message,
    });
    return true;
  });
}
