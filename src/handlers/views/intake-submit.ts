import type { Deps } from '../../deps.ts';
import { type SaveResult, saveHandoff } from '../../flows/handoff.ts';
import { inlineErrors, metadataId, noticeUpdate } from '../../views/common.ts';
import {
  INTAKE_FIRST_BLOCK,
  intakeErrors,
  intakeSaveNotice,
  readIntakeState,
} from '../../views/intake-modal.ts';
import type { ViewArgs } from '../args.ts';

/**
 * Saves the intake. Bad values come back inline and nothing is saved; a valid but incomplete
 * handoff is saved as incomplete. The save happens before the modal closes, so nothing is lost.
 */
export function intakeSubmit(deps: Deps) {
  return async function intakeSubmitListener({ ack, body, view, context }: ViewArgs): Promise<void> {
    const dealId = metadataId(view.private_metadata, 'dealId');
    if (dealId === null)
      return ack(
        noticeUpdate(
          'Something is off',
          'This form lost track of its deal. Please open it again from the message.',
        ),
      );
    const fields = readIntakeState(view.state.values as Record<string, Record<string, unknown>>);
    const errors = intakeErrors(fields);
    if (Object.keys(errors).length > 0) return ack(inlineErrors(errors));
    let result: SaveResult;
    try {
      result = await saveHandoff(deps, { teamId: context.teamId, userId: body.user.id, dealId, fields });
    } catch (error) {
      deps.logger.error({ err: error, dealId }, 'saving a handoff failed');
      return ack(
        inlineErrors({
          [INTAKE_FIRST_BLOCK]:
            'We could not save this just now. Nothing was lost: press Save again in a moment.',
        }),
      );
    }
    const notice = intakeSaveNotice(result);
    await ack(notice ? { response_action: 'update', view: notice } : undefined);
  };
}
