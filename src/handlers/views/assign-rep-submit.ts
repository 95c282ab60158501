import type { Deps } from '../../deps.ts';
import { assignAccountRep } from '../../flows/ownership.ts';
import { isArStaffIn } from '../../flows/settings.ts';
import { readAssignRepState } from '../../views/assign-rep.ts';
import { inlineErrors, metadataId, noticeUpdate } from '../../views/common.ts';
import type { ViewArgs } from '../args.ts';

/** Records the account's owning rep and says so in its thread. */
export function assignRepSubmit(deps: Deps) {
  return async function assignRepSubmitListener({ ack, body, view, context }: ViewArgs): Promise<void> {
    const accountId = metadataId(view.private_metadata, 'accountId');
    const owner = readAssignRepState(view.state.values);
    if (accountId === null)
      return ack(noticeUpdate('Something is off', 'Please start again from the alert.'));
    if (!owner || owner === context.botUserId)
      return ack(inlineErrors({ owner: 'Choose the rep who owns this account.' }));
    if (!(await isArStaffIn(deps, context.teamId, body.user.id)))
      return ack(noticeUpdate('AR only', 'Assigning owners is for the AR team.'));
    const assigned = await assignAccountRep(deps, {
      teamId: context.teamId,
      accountId,
      ownerUserId: owner,
      byUserId: body.user.id,
      viewId: view.id,
    });
    await ack(assigned ? undefined : noticeUpdate('Not found', 'That account no longer exists.'));
  };
}
