import type { ModalView } from '@slack/types';
import { selectedUser } from './common.ts';
import { escapeMrkdwn, plainText, section, truncate } from './text.ts';

export const ASSIGN_REP_CALLBACK_ID = 'account_assign_rep';

/** AR picks the rep who owns an account that has none (its alerts then go to them). */
export function assignRepModal(input: { accountId: number; accountName: string }): ModalView {
  return {
    type: 'modal',
    callback_id: ASSIGN_REP_CALLBACK_ID,
    private_metadata: JSON.stringify({ accountId: input.accountId }),
    title: plainText('Assign a rep'),
    submit: plainText('Assign'),
    close: plainText('Cancel'),
    blocks: [
      section(
        truncate(
          `Who owns *${escapeMrkdwn(input.accountName)}*? Past-due and dispute alerts for it will mention them.`,
          3000,
        ),
      ),
      {
        type: 'input',
        block_id: 'owner',
        label: plainText('Owning rep'),
        element: { type: 'users_select', action_id: 'value', placeholder: plainText('Choose a person') },
      },
    ],
  };
}

/** The rep AR chose in the modal, or null. */
export function readAssignRepState(values: unknown): string | null {
  return selectedUser(values, 'owner');
}
