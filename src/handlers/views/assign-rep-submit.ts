import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { isArStaff } from '../../domain/permissions.ts';
import { accountThreadTarget } from '../../flows/account-thread.ts';
import { refreshHomes } from '../../flows/home.ts';
import { enqueue } from '../../outbox/outbox.ts';
import { repAssignedPost } from '../../views/collections-messages.ts';
import { noticeModal } from '../../views/common.ts';
import type { ViewArgs } from '../args.ts';

const metadata = z.object({ accountId: z.number().int().positive() });

/** Records the account's owning rep and says so in its thread. */
export function assignRepSubmit(deps: Deps) {
  return async function assignRepSubmitListener({ ack, body, view, context }: ViewArgs): Promise<void> {
    const parsed = (() => {
      try {
        return metadata.safeParse(JSON.parse(view.private_metadata ?? ''));
      } catch {
        return null;
      }
    })();
    const values = view.state.values as Record<string, Record<string, { selected_user?: string | null }>>;
    const owner = values.owner?.value?.selected_user ?? null;
    if (!parsed?.success) {
      await ack({
        response_action: 'update',
        view: noticeModal('Something is off', 'Please start again from the alert.'),
      });
      return;
    }
    if (!owner || owner === deps.botUserId) {
      await ack({ response_action: 'errors', errors: { owner: 'Choose the rep who owns this account.' } });
      return;
    }
    if (!isArStaff(deps.config, body.user.id)) {
      await ack({
        response_action: 'update',
        view: noticeModal('AR only', 'Assigning owners is for the AR team.'),
      });
      return;
    }
    const teamId = context.teamId;
    const assigned = await deps.db.transaction().execute(async (trx) => {
      const account = await trx
        .updateTable('accounts')
        .set({ owner_user_id: owner, updated_at: new Date() })
        .where('team_id', '=', teamId)
        .where('id', '=', parsed.data.accountId)
        .returningAll()
        .executeTakeFirst();
      if (!account) return false;
      await enqueue(trx, {
        teamId,
        dedupeKey: `assign:${account.id}:${view.id}`,
        target: await accountThreadTarget(deps, trx, account),
        message: repAssignedPost({ accountName: account.name, repUserId: owner, byUserId: body.user.id }),
      });
      await refreshHomes(deps, trx, teamId, [owner]);
      return true;
    });
    await ack(
      assigned
        ? undefined
        : { response_action: 'update', view: noticeModal('Not found', 'That account no longer exists.') },
    );
    if (assigned) deps.notify();
  };
}
