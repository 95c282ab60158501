import type { Deps } from '../../deps.ts';
import { submitArUpdate } from '../../flows/ar-updates.ts';
import { isArStaffIn } from '../../flows/settings.ts';
import { arUpdateErrors, readArUpdateState } from '../../views/ar-update-modal.ts';
import { inlineErrors, noticeUpdate } from '../../views/common.ts';
import type { ViewArgs } from '../args.ts';

/**
 * Logs an AR collection update. Only the fields that apply to the kind are required; problems are
 * shown inline and nothing is logged until they are fixed. It is logged before the modal closes.
 */
export function arUpdateSubmit(deps: Deps) {
  return async function arUpdateSubmitListener({ ack, body, view, context }: ViewArgs): Promise<void> {
    if (!(await isArStaffIn(deps, context.teamId, body.user.id)))
      return ack(noticeUpdate('AR only', 'Collection updates are for the AR team.'));
    const result = await submitArUpdate(deps, {
      teamId: context.teamId,
      userId: body.user.id,
      draft: readArUpdateState(view.state.values as Record<string, Record<string, unknown>>),
      viewId: view.id,
    });
    await ack(result.ok ? undefined : inlineErrors(arUpdateErrors(result.problems)));
  };
}
