import type { Deps } from '../../deps.ts';
import { markFirstInvoiceSent } from '../../flows/first-invoice.ts';
import { reachOutRefusal } from '../../views/collections-messages.ts';
import type { ButtonArgs } from '../args.ts';
import { recordId } from '../parse.ts';

/** "Sent it" on the first-invoice DM: logs the step in the account's thread and updates the DM. */
export function firstInvoiceSentButton(deps: Deps) {
  return async function firstInvoiceSentListener({
    ack,
    body,
    action,
    respond,
    context,
  }: ButtonArgs): Promise<void> {
    await ack();
    const result = await markFirstInvoiceSent(deps, {
      teamId: context.teamId,
      userId: body.user.id,
      invoiceId: recordId.parse(action.value),
    });
    if (result.status === 'not_yours') {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...reachOutRefusal(result.ownerUserId),
      });
    }
  };
}
