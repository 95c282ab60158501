import { getInvoiceWithAccount } from '../../db/invoices.ts';
import type { Deps } from '../../deps.ts';
import { isArStaff } from '../../domain/permissions.ts';
import { assignRepModal } from '../../views/assign-rep.ts';
import { noticeModal } from '../../views/common.ts';
import type { ButtonArgs } from '../args.ts';

/** "Assign a rep" on an alert about an account nobody owns: AR picks the owner. */
export function assignRepButton(deps: Deps) {
  return async function assignRepListener({ ack, body, action, client, context }: ButtonArgs): Promise<void> {
    await ack();
    const teamId = context.teamId;
    const account = (await getInvoiceWithAccount(deps.db, teamId, Number(action.value)))?.account;
    const view = !account
      ? noticeModal('Not found', 'That invoice no longer exists.')
      : !isArStaff(deps.config, body.user.id)
        ? noticeModal('AR only', 'Assigning the rep who owns an account is for the AR team.')
        : account.owner_user_id
          ? noticeModal('Already owned', `<@${account.owner_user_id}> already owns this account.`)
          : assignRepModal({ accountId: account.id, accountName: account.name });
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}
