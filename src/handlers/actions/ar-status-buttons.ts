import type { RespondArguments } from '@slack/bolt';
import type { Deps } from '../../deps.ts';
import { dayIn } from '../../domain/dates.ts';
import { loadAccountStatus } from '../../flows/status.ts';
import { accountStatusMessage } from '../../views/ar-status.ts';
import type { ButtonArgs } from '../args.ts';

async function statusOf(deps: Deps, teamId: string, accountId: number, shareable: boolean) {
  const status = await loadAccountStatus(
    deps,
    teamId,
    accountId,
    dayIn(deps.config.BUSINESS_TIMEZONE, deps.clock.now()),
  );
  return status ? accountStatusMessage(status, { shareable }) : { text: 'That account no longer exists.' };
}

/** A pick-list button: the chosen account's status replaces the list. */
export function arStatusPick(deps: Deps) {
  return async function arStatusPickListener({ ack, action, respond, context }: ButtonArgs): Promise<void> {
    await ack();
    const message = await statusOf(deps, context.teamId, Number(action.value), true);
    await respond({ response_type: 'ephemeral', replace_original: true, ...message } as RespondArguments);
  };
}

/** "Share in channel": the same answer, posted for everyone in the channel. */
export function arStatusShare(deps: Deps) {
  return async function arStatusShareListener({ ack, action, respond, context }: ButtonArgs): Promise<void> {
    await ack();
    const message = await statusOf(deps, context.teamId, Number(action.value), false);
    await respond({ response_type: 'in_channel', replace_original: false, ...message } as RespondArguments);
  };
}
