import { type DealContext, getDealContext, snoozeDeal } from '../db/deals.ts';
import type { Deps } from '../deps.ts';
import { nagPolicy } from '../domain/nag-schedule.ts';
import { nextWorkingDayStart } from '../domain/working-time.ts';
import { repTimeZone } from './people.ts';
import { settingsFor } from './settings.ts';

export type SnoozeResult =
  | { status: 'not_found' }
  | { status: 'not_yours' }
  | { status: 'snoozed'; ctx: DealContext; until: Date };

/** "Snooze a day": no reminder about the deal until the start of its rep's next working day. */
export async function snoozeReminders(
  deps: Pick<Deps, 'db' | 'config' | 'clock' | 'logger' | 'workspaces'>,
  s: { teamId: string; userId: string; dealId: number },
): Promise<SnoozeResult> {
  const ctx = await getDealContext(deps.db, s.teamId, s.dealId);
  if (!ctx) return { status: 'not_found' };
  if (ctx.deal.owner_user_id !== s.userId) return { status: 'not_yours' };
  const tz = await repTimeZone(deps, s.teamId, s.userId);
  const until = nextWorkingDayStart(deps.clock.now(), tz, nagPolicy(await settingsFor(deps, s.teamId)));
  await snoozeDeal(deps.db, ctx.deal.id, until);
  deps.logger.info(
    { dealId: ctx.deal.id, userId: s.userId, until: until.toISOString() },
    'handoff reminders snoozed',
  );
  return { status: 'snoozed', ctx, until };
}
