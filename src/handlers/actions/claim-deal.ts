import type { Deps } from '../../deps.ts';
import { claimDeal } from '../../flows/ownership.ts';
import { settingsFor } from '../../flows/settings.ts';
import { noticeModal } from '../../views/common.ts';
import { intakeModalFor } from '../../views/intake-modal.ts';
import type { ButtonArgs } from '../args.ts';
import { recordId } from '../parse.ts';

/**
 * "I own this deal", on the finance-channel notice for a deal whose owner matched no Slack user:
 * the first person to click becomes the owner and gets the intake at once.
 */
export function claimDealButton(deps: Deps) {
  return async function claimDealListener({ ack, body, action, client, context }: ButtonArgs): Promise<void> {
    await ack();
    const claim = await claimDeal(deps, context.teamId, body.user.id, recordId.parse(action.value));
    const view =
      claim.status === 'not_found'
        ? noticeModal('Deal not found', 'That deal no longer exists.')
        : claim.status === 'taken'
          ? noticeModal('Already claimed', `<@${claim.ownerUserId}> already owns this deal.`)
          : intakeModalFor(claim.ctx, (await settingsFor(deps, context.teamId)).STANDARD_TERMS_DAYS);
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}
