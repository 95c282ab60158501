import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import type { UpdateKind } from '../domain/collections.ts';
import { disputeReasonLabel } from '../domain/collections.ts';
import { enqueue } from '../outbox/outbox.ts';
import {
  collectionInvoice,
  collectionUpdatePost,
  disputeOpenedPing,
  disputeResolvedPost,
} from '../views/collections-messages.ts';
import { accountThreadTarget } from './account-thread.ts';
import { recomputeCreditHold } from './credit-hold.ts';
import { refreshHomes } from './home.ts';
import { recordPayments } from './invoices.ts';

export interface CollectionUpdateInput {
  teamId: string;
  authorUserId: string;
  accountId: number;
  invoiceId: number | null;
  kind: UpdateKind;
  note: string | null;
  promiseDate: string | null;
  disputeReason: string | null;
  amountCents: number | null;
  /** Makes the update idempotent (a Slack message ts, a view id). */
  sourceKey: string | null;
}

/**
 * Logs a collection update and applies it: a promise pauses past-due pings until its date, a
 * dispute pauses them and pings the rep with the reason, a payment lowers the balance (and clears
 * the invoice at zero), a write-off closes it. Everything is posted in the account's thread.
 * Returns false when the same update (by source key) was logged before.
 */
export async function applyCollectionUpdate(
  deps: Pick<Deps, 'config'>,
  trx: Transaction<Database>,
  u: CollectionUpdateInput,
  now: Date,
): Promise<boolean> {
  const account = await trx
    .selectFrom('accounts')
    .selectAll()
    .where('team_id', '=', u.teamId)
    .where('id', '=', u.accountId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const inv =
    u.invoiceId === null
      ? undefined
      : await trx
          .selectFrom('invoices')
          .selectAll()
          .where('team_id', '=', u.teamId)
          .where('id', '=', u.invoiceId)
          .forUpdate()
          .executeTakeFirstOrThrow();

  if (u.kind === 'payment_received' && inv && u.amountCents !== null) {
    if (u.sourceKey && (await seen(trx, u.teamId, u.sourceKey))) return false;
    const balance = Math.max(0, inv.balance_cents - u.amountCents);
    const status = balance === 0 ? 'paid' : inv.status;
    await trx
      .updateTable('invoices')
      .set({
        balance_cents: balance,
        status,
        paid_at: status === 'paid' ? now : null,
        updated_at: new Date(),
      })
      .where('id', '=', inv.id)
      .execute();
    await recordPayments(
      deps,
      trx,
      [
        {
          invoice: { ...inv, balance_cents: balance, status },
          account,
          amountCents: u.amountCents,
          byUserId: u.authorUserId,
          sourceKey: u.sourceKey,
          note: u.note,
        },
      ],
      now,
    );
    await recomputeCreditHold(deps, trx, [account.id], now);
    await refreshHomes(deps, trx, u.teamId, [account.owner_user_id]);
    return true;
  }

  const logged = await trx
    .insertInto('collection_updates')
    .values({
      team_id: u.teamId,
      account_id: account.id,
      invoice_id: inv?.id ?? null,
      author_user_id: u.authorUserId,
      kind: u.kind,
      note: u.note,
      promise_date: u.promiseDate,
      dispute_reason: u.disputeReason,
      amount_cents: u.amountCents,
      source_key: u.sourceKey,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['team_id', 'source_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!logged) return false;

  if (inv) {
    const patch =
      u.kind === 'promise_to_pay'
        ? { promise_date: u.promiseDate, promise_broken_pinged: false }
        : u.kind === 'dispute_opened'
          ? { dispute_state: 'open' as const }
          : u.kind === 'dispute_resolved'
            ? { dispute_state: 'resolved' as const }
            : u.kind === 'written_off'
              ? { status: 'void' as const }
              : null;
    if (patch)
      await trx
        .updateTable('invoices')
        .set({ ...patch, updated_at: new Date() })
        .where('id', '=', inv.id)
        .execute();
  }

  const invoice = inv ? collectionInvoice(inv) : null;
  const reasonLabel = disputeReasonLabel(u.disputeReason ?? 'other');
  const message =
    u.kind === 'dispute_opened' && invoice
      ? disputeOpenedPing({
          invoice,
          accountName: account.name,
          repUserId: account.owner_user_id,
          reasonLabel,
          note: u.note,
          byUserId: u.authorUserId,
        })
      : u.kind === 'dispute_resolved' && invoice
        ? disputeResolvedPost({
            invoice,
            accountName: account.name,
            repUserId: account.owner_user_id,
            note: u.note,
            byUserId: u.authorUserId,
          })
        : collectionUpdatePost({
            kind: u.kind,
            accountName: account.name,
            invoice,
            authorUserId: u.authorUserId,
            note: u.note,
            promiseDate: u.promiseDate,
            disputeReasonLabel: u.disputeReason ? reasonLabel : null,
            amountCents: u.amountCents,
            currency: inv?.currency ?? 'USD',
          });
  await enqueue(trx, {
    teamId: u.teamId,
    dedupeKey: `update:${logged.id}`,
    target: await accountThreadTarget(deps, trx, account),
    message,
  });
  await refreshHomes(deps, trx, u.teamId, [account.owner_user_id]);
  if (u.kind === 'written_off') {
    await recomputeCreditHold(deps, trx, [account.id], now);
  }
  return true;
}

async function seen(trx: Transaction<Database>, teamId: string, sourceKey: string): Promise<boolean> {
  const row = await trx
    .selectFrom('collection_updates')
    .select('id')
    .where('team_id', '=', teamId)
    .where('source_key', '=', sourceKey)
    .executeTakeFirst();
  return row !== undefined;
}
