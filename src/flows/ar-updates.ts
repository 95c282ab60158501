import { getAccount, lockAccount } from '../db/accounts.ts';
import { hasCollectionUpdate, insertCollectionUpdate } from '../db/collection-updates.ts';
import {
  getInvoice,
  type InvoicePatch,
  lockInvoice,
  patchInvoice,
  setInvoiceBalance,
} from '../db/invoices.ts';
import type { Account, Invoice, Trx } from '../db/schema.ts';
import { findTarget, searchTargets, type TargetRef } from '../db/search.ts';
import type { Deps } from '../deps.ts';
import { type ArUpdate, type ArUpdateCheck, type ArUpdateDraft, checkArUpdate } from '../domain/ar-update.ts';
import { disputeReasonLabel } from '../domain/collections.ts';
import { dayIn } from '../domain/dates.ts';
import type { DisputeContext } from '../domain/dispute-context.ts';
import { enqueue, type OutMessage } from '../outbox/outbox.ts';
import {
  collectionInvoice,
  collectionUpdatePost,
  disputeOpenedPing,
  disputeResolvedPost,
} from '../views/collections-messages.ts';
import { accountThreadTarget } from './account-thread.ts';
import { recomputeCreditHold } from './credit-hold.ts';
import { disputeContext } from './dispute-context.ts';
import { refreshHomes } from './home.ts';
import { recordPayments } from './invoices.ts';
import { settingsFor } from './settings.ts';

export interface CollectionUpdateInput extends ArUpdate {
  teamId: string;
  /** Who logged it; null when a system reported it (`via` names it). */
  authorUserId: string | null;
  via?: string;
  /** Makes the update idempotent (a Slack message ts, a view id). */
  sourceKey: string | null;
}

/** The invoices and accounts the /ar-update picker offers for what AR typed. */
export async function arUpdateTargets(
  deps: Pick<Deps, 'db'>,
  teamId: string,
  query: string,
): Promise<TargetRef[]> {
  return searchTargets(deps.db, teamId, query, 10);
}

/** What `/ar-update <text>` is about: an exact invoice number, else the best account by name. */
export async function arUpdateTarget(
  deps: Pick<Deps, 'db'>,
  teamId: string,
  text: string,
): Promise<TargetRef | null> {
  return findTarget(deps.db, teamId, text);
}

/**
 * AR's /ar-update submission: checked against the invoice or account as it stands now (problems
 * come back by field and nothing is logged), then logged and applied once per modal.
 */
export async function submitArUpdate(
  deps: Pick<Deps, 'db' | 'config' | 'clock'>,
  input: { teamId: string; userId: string; draft: ArUpdateDraft; viewId: string },
): Promise<ArUpdateCheck> {
  const { teamId, draft } = input;
  const invoice =
    draft.target?.type === 'invoice' ? await getInvoice(deps.db, teamId, draft.target.id) : undefined;
  const accountId =
    draft.target?.type === 'account'
      ? (await getAccount(deps.db, teamId, draft.target.id))?.id
      : invoice?.account_id;
  const now = deps.clock.now();
  const checked = checkArUpdate(
    draft,
    {
      accountId,
      invoice: invoice && {
        id: invoice.id,
        number: invoice.number,
        status: invoice.status,
        currency: invoice.currency,
        balanceCents: invoice.balance_cents,
        disputeState: invoice.dispute_state,
      },
    },
    dayIn((await settingsFor(deps, teamId)).BUSINESS_TIMEZONE, now),
  );
  if (!checked.ok) return checked;
  const update = { ...checked.update, teamId, authorUserId: input.userId, sourceKey: `view:${input.viewId}` };
  await deps.db.transaction().execute((trx) => applyCollectionUpdate(deps, trx, update, now));
  return checked;
}

/**
 * Logs a collection update and applies it: a promise pauses past-due pings until its date, a
 * dispute pauses them and pings the rep with the reason, a payment lowers the balance (and clears
 * the invoice at zero), a write-off closes it. Everything is posted in the account's thread.
 * Returns false when the same update (by source key) was logged before.
 */
export async function applyCollectionUpdate(
  deps: Pick<Deps, 'config' | 'db'>,
  trx: Trx,
  u: CollectionUpdateInput,
  now: Date,
): Promise<boolean> {
  const account = await lockAccount(trx, u.teamId, u.accountId);
  const inv = u.invoiceId === null ? undefined : await lockInvoice(trx, u.teamId, u.invoiceId);
  if (u.kind === 'payment_received' && inv && u.amountCents !== null)
    return applyPayment(deps, trx, { ...u, amountCents: u.amountCents }, account, inv, now);
  const id = await insertCollectionUpdate(trx, {
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
  });
  if (id === undefined) return false;
  const patch = inv && invoicePatch(u);
  if (inv && patch) await patchInvoice(trx, inv.id, patch);
  await enqueue(trx, {
    teamId: u.teamId,
    dedupeKey: `update:${id}`,
    target: await accountThreadTarget(trx, account),
    message: updatePost(u, account, inv, await disputeContextFor(trx, u, inv)),
  });
  await refreshHomes(deps, trx, u.teamId, [account.owner_user_id]);
  if (u.kind === 'written_off') await recomputeCreditHold(deps, trx, [account.id], now);
  return true;
}

/** A payment AR logged: the balance drops (the invoice is paid at zero), and it is posted as one. */
async function applyPayment(
  deps: Pick<Deps, 'config' | 'db'>,
  trx: Trx,
  u: CollectionUpdateInput & { amountCents: number },
  account: Account,
  inv: Invoice,
  now: Date,
): Promise<boolean> {
  if (u.sourceKey && (await hasCollectionUpdate(trx, u.teamId, u.sourceKey))) return false;
  const balance = Math.max(0, inv.balance_cents - u.amountCents);
  const status = balance === 0 ? 'paid' : inv.status;
  await setInvoiceBalance(trx, inv.id, {
    balance_cents: balance,
    status,
    paid_at: status === 'paid' ? now : null,
  });
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

/** What the update changes on its invoice, if anything. */
function invoicePatch(u: CollectionUpdateInput): InvoicePatch | null {
  switch (u.kind) {
    case 'promise_to_pay':
      return { promise_date: u.promiseDate, promise_broken_pinged: false };
    case 'dispute_opened':
      return { dispute_state: 'open' };
    case 'dispute_resolved':
      return { dispute_state: 'resolved' };
    case 'written_off':
      return { status: 'void' };
    default:
      return null;
  }
}

/** A dispute opened on an invoice quotes the handoff of its deal. */
async function disputeContextFor(trx: Trx, u: CollectionUpdateInput, inv: Invoice | undefined) {
  if (u.kind !== 'dispute_opened' || !inv) return null;
  return disputeContext(trx, u.teamId, inv.id, u.disputeReason);
}

/** The thread post: a dispute pings the rep, its resolution says so, anything else is logged as it is. */
function updatePost(
  u: CollectionUpdateInput,
  account: Account,
  inv: Invoice | undefined,
  handoff: DisputeContext | null,
): OutMessage {
  const invoice = inv ? collectionInvoice(inv) : null;
  const reasonLabel = disputeReasonLabel(u.disputeReason ?? 'other');
  const about = {
    accountName: account.name,
    repUserId: account.owner_user_id,
    note: u.note,
    byUserId: u.authorUserId,
    ...(u.via ? { via: u.via } : {}),
  };
  if (u.kind === 'dispute_opened' && invoice && inv)
    return disputeOpenedPing({ ...about, invoice, reasonLabel, handoff, invoiceId: inv.id });
  if (u.kind === 'dispute_resolved' && invoice) return disputeResolvedPost({ ...about, invoice });
  return collectionUpdatePost({
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
}
