import type { Deps } from '../../deps.ts';
import { askPrompt } from '../../flows/asks.ts';
import { parseTargetValue } from '../../views/ar-update-modal.ts';
import { askPromptModal } from '../../views/asks.ts';
import type { ButtonArgs } from '../args.ts';

/** "Ask the rep" on a ping: AR asks the owning rep for something, with a due date. */
export function askOpenButton(deps: Deps) {
  return async function askOpenListener({ ack, body, action, client, context }: ButtonArgs): Promise<void> {
    await ack();
    const prompt = await askPrompt(deps, context.teamId, body.user.id, parseTargetValue(action.value ?? ''));
    await client.views.open({ trigger_id: body.trigger_id, view: askPromptModal(prompt) });
  };
}
