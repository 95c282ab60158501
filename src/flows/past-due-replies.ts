import { insertCollectionUpdate } from '../db/collection-updates.ts';
import { getInvoiceWithAccount } from '../db/invoices.ts';
import type { Deps } from '../deps.ts';
import { enqueue } from '../outbox/outbox.ts';
import { askArPost, contactedPost } from '../views/collections-messages.ts';
import { accountThreadTarget } from './account-thread.ts';
import { isArStaffIn, settingsFor } from './settings.ts';

type ReplyDeps = Pick<Deps, 'db' | 'config' | 'clock' | 'notify'>;

/** One click on a button of a past-due ping: which invoice, who, and the click's own timestamp. */
export interface PingReply {
  teamId: string;
  userId: string;
  invoiceId: number;
  actionTs: string;
}

export type ReachOutResult =
  | { status: 'not_found' }
  | { status: 'not_yours'; ownerUserId: string }
  | { status: 'done' };

/**
 * "I'll reach out": logs a `contacted` update by the rep (AR staff may too; anyone, on an account
 * nobody owns) and says so in the thread, once per click.
 */
export async function reachOut(deps: ReplyDeps, r: PingReply): Promise<ReachOutResult> {
  const found = await getInvoiceWithAccount(deps.db, r.teamId, r.invoiceId);
  if (!found) return { status: 'not_found' };
  const { invoice, account } = found;
  const owner = account.owner_user_id;
  if (owner !== null && owner !== r.userId && !(await isArStaffIn(deps, r.teamId, r.userId)))
    return { status: 'not_yours', ownerUserId: owner };
  const logged = await deps.db.transaction().execute(async (trx) => {
    const id = await insertCollectionUpdate(trx, {
      team_id: r.teamId,
      account_id: account.id,
      invoice_id: invoice.id,
      author_user_id: r.userId,
      kind: 'contacted',
      note: 'Will reach out to the customer (from the past-due ping).',
      source_key: `contacted:${invoice.id}:${r.actionTs}`,
      created_at: deps.clock.now(),
    });
    if (id === undefined) return false;
    await enqueue(trx, {
      teamId: r.teamId,
      dedupeKey: `update:${id}`,
      target: await accountThreadTarget(trx, account),
      message: contactedPost({ repUserId: r.userId, invoiceNumber: invoice.number }),
    });
    return true;
  });
  if (logged) deps.notify();
  return { status: 'done' };
}

/** "Ask AR": mentions the AR staff in the account's thread, once per click. */
export async function askAr(deps: ReplyDeps, r: PingReply): Promise<void> {
  const found = await getInvoiceWithAccount(deps.db, r.teamId, r.invoiceId);
  if (!found) return;
  const arUserIds = (await settingsFor(deps, r.teamId)).AR_USER_IDS;
  const queued = await deps.db.transaction().execute(async (trx) =>
    enqueue(trx, {
      teamId: r.teamId,
      dedupeKey: `ask-ar:${found.invoice.id}:${r.actionTs}`,
      target: await accountThreadTarget(trx, found.account),
      message: askArPost({
        arUserIds,
        repUserId: r.userId,
        invoiceNumber: found.invoice.number,
      }),
    }),
  );
  if (queued) deps.notify();
}
