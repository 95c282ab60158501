import type { Deps } from '../../deps.ts';
import { snoozeReminders } from '../../flows/reminders.ts';
import { handoffSnoozedDm } from '../../views/handoff-messages.ts';
import type { ButtonArgs } from '../args.ts';
import { recordId } from '../parse.ts';

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
    const snooze = await snoozeReminders(deps, {
      teamId: context.teamId,
      userId: body.user.id,
      dealId: recordId.parse(action.value),
    });
    if (snooze.status !== 'snoozed') {
      const text =
        snooze.status === 'not_yours'
          ? 'Only the rep who owns this deal can snooze its reminders.'
          : 'That deal no longer exists.';
      await respond({ response_type: 'ephemeral', replace_original: false, text });
      return;
    }
    const { deal, account } = snooze.ctx;
    await respond({
      replace_original: true,
      ...handoffSnoozedDm({
        dealId: deal.id,
        dealName: deal.name,
        accountName: account.name,
        amountCents: deal.amount_cents,
        currency: deal.currency,
        until: snooze.until,
      }),
    });
  };
}
