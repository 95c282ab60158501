import { getDealContext } from '../../db/deals.ts';
import type { Deps } from '../../deps.ts';
import { intakeViewFor } from '../../flows/handoff.ts';
import { noticeModal } from '../../views/common.ts';
import type { ButtonArgs } from '../args.ts';

/**
 * "I own this deal", on the finance-channel notice for a deal whose owner matched no Slack user:
 * the first person to click becomes the owner and gets the intake at once.
 */
export function claimDeal(deps: Deps) {
  return async function claimDealListener({ ack, body, action, client, context }: ButtonArgs): Promise<void> {
    await ack();
    const teamId = context.teamId;
    const dealId = Number(action.value);
    await deps.db
      .updateTable('deals')
      .set({ owner_user_id: body.user.id })
      .where('team_id', '=', teamId)
      .where('id', '=', dealId)
      .where('owner_user_id', 'is', null)
      .executeTakeFirst();
    const ctx = await getDealContext(deps.db, teamId, dealId);
    if (!ctx) {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: noticeModal('Deal not found', 'That deal no longer exists.'),
      });
      return;
    }
    if (ctx.deal.owner_user_id !== body.user.id) {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: noticeModal('Already claimed', `<@${ctx.deal.owner_user_id}> already owns this deal.`),
      });
      return;
    }
    await deps.db
      .updateTable('accounts')
      .set({ owner_user_id: body.user.id })
      .where('id', '=', ctx.account.id)
      .where('owner_user_id', 'is', null)
      .execute();
    await client.views.open({ trigger_id: body.trigger_id, view: intakeViewFor(deps, ctx) });
  };
}
