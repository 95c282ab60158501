import type { Deps } from '../../deps.ts';
import { reassignDeal } from '../../flows/ownership.ts';
import { inlineErrors, metadataId, noticeUpdate } from '../../views/common.ts';
import { readReassignState } from '../../views/reassign.ts';
import type { ViewArgs } from '../args.ts';

/**
 * Moves the deal to the chosen rep: reminders start over for them, the old owner's pending
 * reminders become moot, and the new owner gets a DM with the handoff button.
 */
export function reassignSubmit(deps: Deps) {
  return async function reassignSubmitListener({ ack, body, view, context }: ViewArgs): Promise<void> {
    const dealId = metadataId(view.private_metadata, 'dealId');
    const newOwner = readReassignState(view.state.values);
    if (dealId === null)
      return ack(noticeUpdate('Something is off', 'Please open this again from the message.'));
    if (!newOwner) return ack(inlineErrors({ new_owner: 'Choose the rep who owns this deal.' }));
    if (newOwner === body.user.id || newOwner === context.botUserId)
      return ack(inlineErrors({ new_owner: 'Choose someone else: the rep who owns this deal.' }));
    const outcome = await reassignDeal(deps, {
      teamId: context.teamId,
      byUserId: body.user.id,
      dealId,
      newOwner,
      viewId: view.id,
    });
    if (outcome === 'forbidden')
      return ack(noticeUpdate('Not your deal', 'This deal belongs to someone else.'));
    if (outcome === 'not_found') return ack(noticeUpdate('Deal not found', 'That deal no longer exists.'));
    await ack(
      noticeUpdate(
        'Passed on',
        `Done: <@${newOwner}> now owns this deal and has been asked for the billing handoff.`,
      ),
    );
  };
}
