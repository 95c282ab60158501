import type { Deps } from '../../deps.ts';
import { openDeal } from '../../flows/handoff.ts';
import { noticeModal } from '../../views/common.ts';
import { reassignModal } from '../../views/reassign.ts';
import type { ButtonArgs } from '../args.ts';
import { recordId } from '../parse.ts';

/** "Not my deal": asks who owns it. */
export function notMyDeal(deps: Deps) {
  return async function notMyDealListener({ ack, body, action, client, context }: ButtonArgs): Promise<void> {
    await ack();
    const access = await openDeal(deps, context.teamId, body.user.id, recordId.parse(action.value));
    const view =
      access.status === 'not_found'
        ? noticeModal('Deal not found', 'That deal no longer exists in AR Bridge.')
        : access.status === 'forbidden'
          ? noticeModal('Not your deal', 'This deal already belongs to someone else.')
          : reassignModal({
              dealId: access.ctx.deal.id,
              dealName: access.ctx.deal.name,
              accountName: access.ctx.account.name,
            });
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}
