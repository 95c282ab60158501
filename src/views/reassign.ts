import type { ModalView } from '@slack/types';
import { z } from 'zod';
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

const chosen = z.object({ new_owner: z.object({ value: z.object({ selected_user: z.string().min(1) }) }) });

/** The rep the deal is passed to, as chosen in the modal, or null. */
export function readReassignState(values: unknown): string | null {
  const parsed = chosen.safeParse(values);
  return parsed.success ? parsed.data.new_owner.value.selected_user : null;
}
