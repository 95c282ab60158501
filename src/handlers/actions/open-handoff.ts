import { getDealContext } from '../../db/deals.ts';
import type { Deps } from '../../deps.ts';
import { mayEditHandoff } from '../../domain/permissions.ts';
import { intakeViewFor } from '../../flows/handoff.ts';
import { noticeModal } from '../../views/common.ts';
import type { ButtonArgs } from '../args.ts';

/** "Start billing handoff" / "Edit handoff": opens the intake, prefilled, with the fresh trigger_id. */
export function openHandoff(deps: Deps) {
  return async function openHandoffListener({
    ack,
    body,
    action,
    client,
    context,
  }: ButtonArgs): Promise<void> {
    await ack();
    const teamId = context.teamId;
    const ctx = await getDealContext(deps.db, teamId, Number(action.value));
    let view = ctx
      ? intakeViewFor(deps, ctx)
      : noticeModal('Deal not found', 'That deal no longer exists in AR Bridge.');
    if (ctx && !mayEditHandoff(deps.config, body.user.id, ctx.deal)) {
      view = noticeModal(
        'Not your deal',
        ctx.deal.owner_user_id
          ? `The billing handoff for this deal belongs to <@${ctx.deal.owner_user_id}>. Ask them, or AR, if something needs changing.`
          : 'Nobody owns this deal yet: use the *I own this deal* button on the message in the finance channel.',
      );
    }
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}
