import { getInvoiceWithAccount } from '../../db/invoices.ts';
import type { Deps } from '../../deps.ts';
import { isArStaff } from '../../domain/permissions.ts';
import { accountThreadTarget } from '../../flows/account-thread.ts';
import { enqueue } from '../../outbox/outbox.ts';
import { askArPost, contactedPost } from '../../views/collections-messages.ts';
import type { ButtonArgs } from '../args.ts';

/** "I'll reach out" on a past-due ping: logs a `contacted` update by the rep and says so in the thread. */
export function contactedButton(deps: Deps) {
  return async function contactedListener({
    ack,
    body,
    action,
    respond,
    context,
  }: ButtonArgs): Promise<void> {
    await ack();
    const teamId = context.teamId;
    const found = await getInvoiceWithAccount(deps.db, teamId, Number(action.value));
    if (!found) return;
    const { invoice, account } = found;
    const user = body.user.id;
    if (account.owner_user_id !== user && !isArStaff(deps.config, user) && account.owner_user_id !== null) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: `This account belongs to <@${account.owner_user_id}>; they will reach out.`,
      });
      return;
    }
    const logged = await deps.db.transaction().execute(async (trx) => {
      const added = await trx
        .insertInto('collection_updates')
        .values({
          team_id: teamId,
          account_id: account.id,
          invoice_id: invoice.id,
          author_user_id: user,
          kind: 'contacted',
          note: 'Will reach out to the customer (from the past-due ping).',
          source_key: `contacted:${invoice.id}:${action.action_ts}`,
          created_at: deps.clock.now(),
        })
        .onConflict((oc) => oc.columns(['team_id', 'source_key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!added) return false;
      await enqueue(trx, {
        teamId,
        dedupeKey: `update:${added.id}`,
        target: await accountThreadTarget(deps, trx, account),
        message: contactedPost({ repUserId: user, invoiceNumber: invoice.number }),
      });
      return true;
    });
    if (logged) deps.notify();
  };
}

/** "Ask AR" on a past-due ping: mentions the AR staff in the account thread. */
export function askArButton(deps: Deps) {
  return async function askArListener({ ack, body, action, context }: ButtonArgs): Promise<void> {
    await ack();
    const teamId = context.teamId;
    const found = await getInvoiceWithAccount(deps.db, teamId, Number(action.value));
    if (!found) return;
    const queued = await deps.db.transaction().execute(async (trx) =>
      enqueue(trx, {
        teamId,
        dedupeKey: `ask-ar:${found.invoice.id}:${action.action_ts}`,
        target: await accountThreadTarget(deps, trx, found.account),
        message: askArPost({
          arUserIds: deps.config.AR_USER_IDS,
          repUserId: body.user.id,
          invoiceNumber: found.invoice.number,
        }),
      }),
    );
    if (queued) deps.notify();
  };
}
