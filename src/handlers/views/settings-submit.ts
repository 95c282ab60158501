import type { Deps } from '../../deps.ts';
import { saveSettings } from '../../flows/workspace-settings.ts';
import { inlineErrors, noticeUpdate } from '../../views/common.ts';
import { readSettingsState } from '../../views/settings.ts';
import type { ViewArgs } from '../args.ts';

/** Settings saved: checked again for who may (the form may be stale), bad values shown inline. */
export function settingsSubmit(deps: Deps) {
  return async function settingsSubmitListener({ ack, body, view, context }: ViewArgs): Promise<void> {
    const result = await saveSettings(deps, {
      teamId: context.teamId,
      userId: body.user.id,
      draft: readSettingsState(view.state.values),
    });
    if (result.status === 'forbidden')
      return ack(
        noticeUpdate('Admins only', 'Only workspace admins and Settings admins may change Settings.'),
      );
    if (result.status === 'invalid') return ack(inlineErrors(result.errors));
    await ack();
  };
}
