import type { ModalView } from '@slack/types';
import type { Deps } from '../../deps.ts';
import { type AssignRepPrompt, assignRepPrompt } from '../../flows/ownership.ts';
import { assignRepModal } from '../../views/assign-rep.ts';
import { noticeModal } from '../../views/common.ts';
import type { ButtonArgs } from '../args.ts';
import { recordId } from '../parse.ts';

function viewFor(prompt: AssignRepPrompt): ModalView {
  switch (prompt.status) {
    case 'not_found':
      return noticeModal('Not found', 'That invoice no longer exists.');
    case 'forbidden':
      return noticeModal('AR only', 'Assigning the rep who owns an account is for the AR team.');
    case 'owned':
      return noticeModal('Already owned', `<@${prompt.ownerUserId}> already owns this account.`);
    case 'ask':
      return assignRepModal(prompt);
  }
}

/** "Assign a rep" on an alert about an account nobody owns: AR picks the owner. */
export function assignRepButton(deps: Deps) {
  return async function assignRepListener({ ack, body, action, client, context }: ButtonArgs): Promise<void> {
    await ack();
    const prompt = await assignRepPrompt(deps, context.teamId, body.user.id, recordId.parse(action.value));
    await client.views.open({ trigger_id: body.trigger_id, view: viewFor(prompt) });
  };
}
