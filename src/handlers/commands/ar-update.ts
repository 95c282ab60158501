import type { Deps } from '../../deps.ts';
import { arUpdateTarget } from '../../flows/ar-updates.ts';
import { askPrompt } from '../../flows/asks.ts';
import { isArStaffIn } from '../../flows/settings.ts';
import { arUpdateModal, arUpdateRefusal } from '../../views/ar-update-modal.ts';
import { askPromptModal } from '../../views/asks.ts';
import type { CommandArgs } from '../args.ts';

/** /ar-update [invoice number | account]: AR staff log a collection update; everyone else is told why not. */
export function arUpdateCommand(deps: Deps) {
  return async function arUpdateListener({ ack, command, client, context }: CommandArgs): Promise<void> {
    if (!(await isArStaffIn(deps, context.teamId, command.user_id))) {
      await ack({ response_type: 'ephemeral', ...arUpdateRefusal() });
      return;
    }
    await ack();
    const ask = /^ask\b\s*/i.exec(command.text);
    if (ask) {
      const about = await arUpdateTarget(deps, context.teamId, command.text.slice(ask[0].length));
      const prompt = await askPrompt(deps, context.teamId, command.user_id, about);
      await client.views.open({ trigger_id: command.trigger_id, view: askPromptModal(prompt) });
      return;
    }
    const target = await arUpdateTarget(deps, context.teamId, command.text);
    await client.views.open({
      trigger_id: command.trigger_id,
      view: arUpdateModal({
        target: target ? { value: `${target.type}:${target.id}`, label: target.label } : null,
        kind: null,
      }),
    });
  };
}
