import type { ModalView } from '@slack/types';
import type { Deps } from '../../deps.ts';
import { type DealAccess, openDeal } from '../../flows/handoff.ts';
import { settingsFor } from '../../flows/settings.ts';
import { noticeModal } from '../../views/common.ts';
import { intakeModalFor } from '../../views/intake-modal.ts';
import type { ButtonArgs } from '../args.ts';
import { recordId } from '../parse.ts';

function viewFor(access: DealAccess, standardTermsDays: number): ModalView {
  if (access.status === 'not_found')
    return noticeModal('Deal not found', 'That deal no longer exists in AR Bridge.');
  if (access.status === 'ok') return intakeModalFor(access.ctx, standardTermsDays);
  const owner = access.ctx.deal.owner_user_id;
  return noticeModal(
    'Not your deal',
    owner
      ? `The billing handoff for this deal belongs to <@${owner}>. Ask them, or AR, if something needs changing.`
      : 'Nobody owns this deal yet: use the *I own this deal* button on the message in the finance channel.',
  );
}

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
    const settings = await settingsFor(deps, context.teamId);
    const access = await openDeal(deps, context.teamId, body.user.id, recordId.parse(action.value));
    await client.views.open({
      trigger_id: body.trigger_id,
      view: viewFor(access, settings.STANDARD_TERMS_DAYS),
    });
  };
}
