import { dealsAwaitingHandoff, getDealContext } from '../../db/deals.ts';
import type { Deps } from '../../deps.ts';
import { dayIn } from '../../domain/dates.ts';
import { intakeViewFor } from '../../flows/handoff.ts';
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
    const words = command.text.trim().toLowerCase();
    const all = await dealsAwaitingHandoff(deps.db, context.teamId, command.user_id, 100);
    const deals = words ? all.filter((d) => `${d.name} ${d.accountName}`.toLowerCase().includes(words)) : all;
    if (deals.length === 1 && deals[0]) {
      const ctx = await getDealContext(deps.db, context.teamId, deals[0].id);
      if (ctx) {
        await client.views.open({ trigger_id: command.trigger_id, view: intakeViewFor(deps, ctx) });
        return;
      }
    }
    if (deals.length > 1) {
      await respond({ response_type: 'ephemeral', ...dealPickList(deals) });
      return;
    }
    await client.views.open({
      trigger_id: command.trigger_id,
      view: newDealModal(dayIn(deps.config.BUSINESS_TIMEZONE, deps.clock.now())),
    });
  };
}
