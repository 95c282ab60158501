import type { Deps } from '../../deps.ts';
import { openSettings } from '../../flows/workspace-settings.ts';
import { noticeModal } from '../../views/common.ts';
import type { ButtonArgs } from '../args.ts';

/** "Settings" on an admin's App Home: the workspace's Settings form (others are told it is for admins). */
export function settingsOpenButton(deps: Deps) {
  return async function settingsOpenListener({ ack, body, client, context }: ButtonArgs): Promise<void> {
    await ack();
    const opened = await openSettings(deps, context.teamId, body.user.id);
    const view =
      opened.status === 'ok'
        ? opened.view
        : noticeModal('Admins only', 'AR Bridge’s Settings are for workspace admins and Settings admins.');
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}
