import { findTarget } from '../../db/search.ts';
import type { Deps } from '../../deps.ts';
import { isArStaff } from '../../domain/permissions.ts';
import { arUpdateModal } from '../../views/ar-update-modal.ts';
import type { CommandArgs } from '../args.ts';

/** /ar-update [invoice number | account]: AR staff log a collection update; everyone else is told why not. */
export function arUpdateCommand(deps: Deps) {
  return async function arUpdateListener({ ack, command, client, context }: CommandArgs): Promise<void> {
    if (!isArStaff(deps.config, command.user_id)) {
      await ack({
        response_type: 'ephemeral',
        text:
          'Sorry, `/ar-update` is for the AR team: collection updates go on the record. ' +
          'To see where an account stands, try `/ar-status`; to flag something for AR, reply in the account’s thread in the finance channel.',
      });
      return;
    }
    await ack();
    const target = await findTarget(deps.db, context.teamId, command.text);
    await client.views.open({
      trigger_id: command.trigger_id,
      view: arUpdateModal({
        target: target ? { value: `${target.type}:${target.id}`, label: target.label } : null,
        kind: null,
      }),
    });
  };
}
