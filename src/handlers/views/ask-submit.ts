import type { Deps } from '../../deps.ts';
import { createAsk, sendToAr } from '../../flows/asks.ts';
import { readAskState } from '../../views/asks.ts';
import { inlineErrors } from '../../views/common.ts';
import type { ViewArgs } from '../args.ts';

/** AR's ask to the rep: problems under their inputs, else stored and posted in the thread. */
export function askSubmit(deps: Deps) {
  return async function askSubmitListener({ ack, body, view, context }: ViewArgs): Promise<void> {
    const result = await createAsk(deps, {
      teamId: context.teamId,
      userId: body.user.id,
      draft: readAskState(view.state.values),
      viewId: view.id,
    });
    await ack(result.ok ? undefined : inlineErrors(result.problems));
  };
}

/** A customer question a rep sends to AR (from the message shortcut). */
export function sendToArSubmit(deps: Deps) {
  return async function sendToArSubmitListener({ ack, body, view, context }: ViewArgs): Promise<void> {
    const result = await sendToAr(deps, {
      teamId: context.teamId,
      userId: body.user.id,
      draft: readAskState(view.state.values),
      source: view.private_metadata,
      viewId: view.id,
    });
    await ack(result.ok ? undefined : inlineErrors(result.problems));
  };
}
