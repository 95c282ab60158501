import type { RespondArguments } from '@slack/bolt';
import type { Deps } from '../../deps.ts';
import { accountStatusReply } from '../../flows/status.ts';
import type { ButtonArgs } from '../args.ts';
import { recordId } from '../parse.ts';

/** A pick-list button: the chosen account's status replaces the list. */
export function arStatusPick(deps: Deps) {
  return async function arStatusPickListener({ ack, action, respond, context }: ButtonArgs): Promise<void> {
    await ack();
    const accountId = recordId.parse(action.value);
    const message = await accountStatusReply(deps, context.teamId, accountId, true);
    await respond({ response_type: 'ephemeral', replace_original: true, ...message } as RespondArguments);
  };
}

/** "Share in channel": the same answer, posted for everyone in the channel. */
export function arStatusShare(deps: Deps) {
  return async function arStatusShareListener({ ack, action, respond, context }: ButtonArgs): Promise<void> {
    await ack();
    const accountId = recordId.parse(action.value);
    const message = await accountStatusReply(deps, context.teamId, accountId, false);
    await respond({ response_type: 'in_channel', replace_original: false, ...message } as RespondArguments);
  };
}
