import type { RespondArguments } from '@slack/bolt';
import type { Deps } from '../../deps.ts';
import { statusAnswer } from '../../flows/status.ts';
import type { CommandArgs } from '../args.ts';

/** Slack waits 3 seconds for the answer; past this, say "looking" and answer through response_url. */
const INLINE_BUDGET_MS = 2_000;

/**
 * /ar-status [name | domain | invoice number] [share]: answered in the command's own response
 * (ephemeral unless shared), within Slack's 3 seconds; no Slack API call on the way.
 */
export function arStatusCommand(deps: Deps) {
  return async function arStatusListener({ ack, command, respond, context }: CommandArgs): Promise<void> {
    const words = command.text.trim();
    const share = /(^|\s)share$/i.test(words);
    const text = share ? words.replace(/\s*share$/i, '').trim() : words;
    const work = statusAnswer(deps, context.teamId, command.user_id, text, share);
    let budget: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      work,
      new Promise<null>((resolve) => {
        budget = setTimeout(() => resolve(null), INLINE_BUDGET_MS).unref();
      }),
    ]).finally(() => clearTimeout(budget));
    const responseType = share ? ('in_channel' as const) : ('ephemeral' as const);
    if (inTime) {
      await ack({ response_type: responseType, ...inTime });
      return;
    }
    await ack({ response_type: 'ephemeral', text: 'Looking that up…' });
    const late = await work;
    await respond({ response_type: responseType, replace_original: true, ...late } as RespondArguments);
  };
}
