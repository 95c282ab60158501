import type { RespondArguments } from '@slack/bolt';
import type { Deps } from '../../deps.ts';
import { accountStatusReply } from '../../flows/status.ts';
import type { ButtonArgs } from '../args.ts';
import { recordId } from '../parse.ts';

/** A pick-list button: the chosen account's status replaces the list. */
export function arStatusPick(deps: Deps) {
  return async function arStatusPickListener({ ack, action, respond, context }: ButtonArgs): Promise<void> {
    await ack();
    const message = await accountStatusReply(deps, context.teamId, recordId.parse(action.value), true);
    await respond({ response_type: 'ephemeral', replace_original: true, ...message } as RespondArguments);
  };
}
