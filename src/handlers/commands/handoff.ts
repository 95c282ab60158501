import type { Deps } from '../../deps.ts';
import { dayIn } from '../../domain/dates.ts';
import { handoffChoice } from '../../flows/handoff.ts';
import { settingsFor } from '../../flows/settings.ts';
import { intakeModalFor } from '../../views/intake-modal.ts';
import { dealPickList, newDealModal } from '../../views/new-deal.ts';
import type { CommandArgs } from '../args.ts';

/**
 * /handoff [words]: the caller's deal waiting for a handoff opens at once; several give a pick
 * list; none lets the rep enter the deal. Words narrow the list by deal or account name.
 */
export function handoffCommand(deps: Deps) {
  return async function handoffListener({
    ack,
    command,
    client,
    respond,
    context,
  }: CommandArgs): Promise<void> {
    await ack();
    const choice = await handoffChoice(deps, context.teamId, command.user_id, command.text);
    if (choice.kind === 'pick') {
      await respond({ response_type: 'ephemeral', ...dealPickList(choice.deals) });
      return;
    }
    const settings = await settingsFor(deps, context.teamId);
    const view =
      choice.kind === 'intake'
        ? intakeModalFor(choice.ctx, settings.STANDARD_TERMS_DAYS)
        : newDealModal(dayIn(settings.BUSINESS_TIMEZONE, deps.clock.now()));
    await client.views.open({ trigger_id: command.trigger_id, view });
  };
}
