import type { ModalView } from '@slack/types';
import { selectedUser } from './common.ts';
import { escapeMrkdwn, plainText, section, truncate } from './text.ts';

export const REASSIGN_CALLBACK_ID = 'handoff_reassign';

/** "Not my deal": pick the rep who owns it; the deal moves to them and they are told. */
export function reassignModal(input: { dealId: number; dealName: string; accountName: string }): ModalView {
  return {
    type: 'modal',
    callback_id: REASSIGN_CALLBACK_ID,
    private_metadata: JSON.stringify({ dealId: input.dealId }),
    title: plainText('Not my deal'),
    submit: plainText('Pass it on'),
    close: plainText('Cancel'),
    blocks: [
      section(
        truncate(
          `Who owns *${escapeMrkdwn(input.dealName)}* (${escapeMrkdwn(input.accountName)})? ` +
            'They get the billing handoff and its reminders; you stop getting them.',
          3000,
        ),
      ),
      {
        type: 'input',
        block_id: 'new_owner',
        label: plainText('The rep who owns this deal'),
        element: { type: 'users_select', action_id: 'value', placeholder: plainText('Choose a person') },
      },
    ],
  };
}

/** The rep the deal is passed to, as chosen in the modal, or null. */
export function readReassignState(values: unknown): string | null {
  return selectedUser(values, 'new_owner');
}
