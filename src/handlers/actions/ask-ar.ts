import type { Deps } from '../../deps.ts';
import { askAr } from '../../flows/past-due-replies.ts';
import type { ButtonArgs } from '../args.ts';
import { recordId } from '../parse.ts';

/** "Ask AR" on a past-due ping: mentions the AR staff in the account thread. */
export function askArButton(deps: Deps) {
  return async function askArListener({ ack, body, action, context }: ButtonArgs): Promise<void> {
    await ack();
    await askAr(deps, {
      teamId: context.teamId,
      userId: body.user.id,
      invoiceId: recordId.parse(action.value),
      actionTs: action.action_ts,
    });
  };
}
