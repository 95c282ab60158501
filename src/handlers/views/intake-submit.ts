import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { saveHandoff } from '../../flows/handoff.ts';
import { noticeModal } from '../../views/common.ts';
import { intakeErrors, readIntakeState } from '../../views/intake-modal.ts';
import type { ViewArgs } from '../args.ts';

const metadata = z.object({ dealId: z.number().int().positive() });

export function dealIdFromMetadata(privateMetadata: string | undefined): number | null {
  try {
    const parsed = metadata.safeParse(JSON.parse(privateMetadata ?? ''));
    return parsed.success ? parsed.data.dealId : null;
  } catch {
    return null;
  }
}

/** The block every intake has, where a problem that belongs to no one field is shown. */
const FIRST_BLOCK = 'legal_entity';

/**
 * Saves the intake. Bad values come back inline and nothing is saved; a valid but incomplete
 * handoff is saved as incomplete. The save happens before the modal closes, so nothing is lost.
 */
export function intakeSubmit(deps: Deps) {
  return async function intakeSubmitListener({ ack, body, view, context }: ViewArgs): Promise<void> {
    const dealId = dealIdFromMetadata(view.private_metadata);
    if (dealId === null) {
      await ack({
        response_action: 'update',
        view: noticeModal(
          'Something is off',
          'This form lost track of its deal. Please open it again from the message.',
        ),
      });
      return;
    }
    const fields = readIntakeState(view.state.values as Record<string, Record<string, unknown>>);
    const errors = intakeErrors(fields);
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    let result: Awaited<ReturnType<typeof saveHandoff>>;
    try {
      result = await saveHandoff(deps, {
        teamId: context.teamId,
        userId: body.user.id,
        dealId,
        fields,
        now: deps.clock.now(),
      });
    } catch (error) {
      deps.logger.error({ err: error, dealId }, 'saving a handoff failed');
      await ack({
        response_action: 'errors',
        errors: {
          [FIRST_BLOCK]: 'We could not save this just now. Nothing was lost: press Save again in a moment.',
        },
      });
      return;
    }
    switch (result.status) {
      case 'not_found':
        await ack({
          response_action: 'update',
          view: noticeModal('Deal not found', 'That deal no longer exists in AR Bridge.'),
        });
        return;
      case 'forbidden':
        await ack({
          response_action: 'update',
          view: noticeModal(
            'Not your deal',
            result.ownerUserId
              ? `This handoff belongs to <@${result.ownerUserId}>; your changes were not saved.`
              : 'Nobody owns this deal yet; your changes were not saved.',
          ),
        });
        return;
      default:
        await ack();
        if (result.status === 'saved') deps.notify();
    }
  };
}
