import { getDealContext } from '../../db/deals.ts';
import type { Deps } from '../../deps.ts';
import { nextWorkingDayStart } from '../../domain/working-time.ts';
import { repTimeZone } from '../../flows/people.ts';
import { nagPolicy } from '../../jobs/handoff-nags.ts';
import { handoffSnoozedDm } from '../../views/handoff-messages.ts';
import type { ButtonArgs } from '../args.ts';

/** "Snooze a day": no reminder until the start of the rep's next working day. */
export function snoozeHandoff(deps: Deps) {
  return async function snoozeHandoffListener({
    ack,
    body,
    action,
    respond,
    context,
  }: ButtonArgs): Promise<void> {
    await ack();
    const teamId = context.teamId;
    const ctx = await getDealContext(deps.db, teamId, Number(action.value));
    if (!ctx || ctx.deal.owner_user_id !== body.user.id) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: ctx
          ? 'Only the rep who owns this deal can snooze its reminders.'
          : 'That deal no longer exists.',
      });
      return;
    }
    const now = deps.clock.now();
    const tz = await repTimeZone(deps, teamId, body.user.id);
    const until = nextWorkingDayStart(now, tz, nagPolicy(deps.config));
    await deps.db.updateTable('deals').set({ snoozed_until: until }).where('id', '=', ctx.deal.id).execute();
    deps.logger.info(
      { dealId: ctx.deal.id, userId: body.user.id, until: until.toISOString() },
      'handoff reminders snoozed',
    );
    await respond({
      replace_original: true,
      ...handoffSnoozedDm({
        dealId: ctx.deal.id,
        dealName: ctx.deal.name,
        accountName: ctx.account.name,
        amountCents: ctx.deal.amount_cents,
        currency: ctx.deal.currency,
        until,
      }),
    });
  };
}
