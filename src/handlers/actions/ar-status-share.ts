import type { RespondArguments } from '@slack/bolt';
import type { Deps } from '../../deps.ts';
import { accountStatusReply } from '../../flows/status.ts';
import type { ButtonArgs } from '../args.ts';
import { recordId } from '../parse.ts';

/** "Share in channel": the same answer, posted for everyone in the channel. */
export function arStatusShare(deps: Deps) {
  return async function arStatusShareListener({ ack, action, respond, context }: ButtonArgs): Promise<void> {
    await ack();
    const message = await accountStatusReply(deps, context.teamId, recordId.parse(action.value), false);
    await respond({ response_type: 'in_channel', replace_original: false, ...message } as RespondArguments);
  };
}
