import { type Deps, isArStaff } from '../../deps.ts';
import { assignRepModal } from '../../views/assign-rep.ts';
import { noticeModal } from '../../views/common.ts';
import type { ButtonArgs } from './open-handoff.ts';

/** "Assign a rep" on an alert about an account nobody owns: AR picks the owner. */
export function assignRepButton(deps: Deps) {
  return async function assignRepListener({ ack, body, action, client }: ButtonArgs): Promise<void> {
    await ack();
    const teamId = body.team?.id ?? deps.teamId;
    const account = await deps.db
      .selectFrom('invoices')
      .innerJoin('accounts', 'accounts.id', 'invoices.account_id')
      .select(['accounts.id', 'accounts.name', 'accounts.owner_user_id'])
      .where('invoices.team_id', '=', teamId)
      .where('invoices.id', '=', Number(action.value))
      .executeTakeFirst();
    const view = !account
      ? noticeModal('Not found', 'That invoice no longer exists.')
      : !isArStaff(deps, body.user.id)
        ? noticeModal('AR only', 'Assigning the rep who owns an account is for the AR team.')
        : account.owner_user_id
          ? noticeModal('Already owned', `<@${account.owner_user_id}> already owns this account.`)
          : assignRepModal({ accountId: account.id, accountName: account.name });
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}
