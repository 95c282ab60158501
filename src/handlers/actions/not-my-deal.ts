import { getDealContext } from '../../db/deals.ts';
import type { Deps } from '../../deps.ts';
import { mayEditHandoff } from '../../domain/permissions.ts';
import { noticeModal } from '../../views/common.ts';
import { reassignModal } from '../../views/reassign.ts';
import type { ButtonArgs } from '../args.ts';

/** "Not my deal": asks who owns it. */
export function notMyDeal(deps: Deps) {
  return async function notMyDealListener({ ack, body, action, client, context }: ButtonArgs): Promise<void> {
    await ack();
    const ctx = await getDealContext(deps.db, context.teamId, Number(action.value));
    const view = !ctx
      ? noticeModal('Deal not found', 'That deal no longer exists in AR Bridge.')
      : !mayEditHandoff(deps.config, body.user.id, ctx.deal)
        ? noticeModal('Not your deal', 'This deal already belongs to someone else.')
        : reassignModal({ dealId: ctx.deal.id, dealName: ctx.deal.name, accountName: ctx.account.name });
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}
