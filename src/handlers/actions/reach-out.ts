import type { Deps } from '../../deps.ts';
import { reachOut } from '../../flows/past-due-replies.ts';
import { reachOutRefusal } from '../../views/collections-messages.ts';
import type { ButtonArgs } from '../args.ts';
import { recordId } from '../parse.ts';

/** "I'll reach out" on a past-due ping: logs a `contacted` update by the rep and says so in the thread. */
export function reachOutButton(deps: Deps) {
  return async function reachOutListener({ ack, body, action, respond, context }: ButtonArgs): Promise<void> {
    await ack();
    const result = await reachOut(deps, {
      teamId: context.teamId,
      userId: body.user.id,
      invoiceId: recordId.parse(action.value),
      actionTs: action.action_ts,
    });
    if (result.status === 'not_yours') {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...reachOutRefusal(result.ownerUserId),
      });
    }
  };
}
