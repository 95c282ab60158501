import { ownersOf } from '../db/accounts.ts';
import { insertCollectionUpdates } from '../db/collection-updates.ts';
import {
  applyInChunks,
  type ChunkedOutcome,
  logStagedPayments,
  type StagingBatch,
  settleStagedAccounts,
  stagedLinkedNumbers,
  stagedPayments,
} from '../db/invoice-staging.ts';
import type { Account, Invoice, Trx } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import type { InvoiceInput } from '../domain/invoice-input.ts';
import { enqueueMany, type NewNotification } from '../outbox/outbox.ts';
import {
  collectionInvoice,
  invoicePaidDm,
  invoicePaidPost,
  paymentRecordedPost,
} from '../views/collections-messages.ts';
import { accountThread, threadRootNotification } from './account-thread.ts';
import { holdRules, recomputeCreditHold } from './credit-hold.ts';
import { queueFirstInvoiceDms } from './first-invoice.ts';
import { refreshHomes } from './home.ts';
import { settingsFor } from './settings.ts';

export interface UpsertResult {
  created: number;
  updated: number;
  unchanged: number;
  payments: number;
  paid: number;
  accountsCreated: number;
}

/** Rows handed to the staging COPY at a time, and payments or links read back per page. */
const CHUNK = 2_000;

type ConfigDeps = Pick<Deps, 'config' | 'db'>;

/**
 * Upserts invoices by number within the workspace: accounts are matched by CRM id, then by name
 * (case and spacing insensitive), and created when new. A lower balance records a payment; a
 * balance that reaches zero marks the invoice paid and tells the rep. Credit hold is recomputed for
 * every account touched. Runs inside the caller's transaction: all or nothing.
 */
export async function upsertInvoices(
  deps: ConfigDeps,
  trx: Trx,
  teamId: string,
  rows: readonly InvoiceInput[],
  now: Date,
  onProgress?: (done: number) => void,
): Promise<UpsertResult> {
  return upsertInvoiceBatches(deps, trx, teamId, inBatches(rows), now, onProgress);
}

async function* inBatches(rows: readonly InvoiceInput[]): AsyncGenerator<StagingBatch> {
  for (let i = 0; i < rows.length; i += CHUNK) yield { rows: rows.slice(i, i + CHUNK) };
}

/**
 * `upsertInvoices` over batches that arrive one after another (a file read as it streams, so that
 * it is never held whole). The batches are copied into a staging table and applied in sets, chunk
 * by chunk as they come (src/db/invoice-staging.ts: accounts and invoices in a few statements per
 * chunk, while the source reads the next one). `accept` then sees the outcome (a file's numbers
 * given twice, found in the staging tables) and throws to reject it, the caller's transaction
 * undoing what was applied. Once accepted: credit limits and the payment log, the first-invoice DMs
 * and the payment posts queued page by page; credit hold and App Home once.
 */
export async function upsertInvoiceBatches(
  deps: ConfigDeps,
  trx: Trx,
  teamId: string,
  batches: AsyncIterable<StagingBatch>,
  now: Date,
  onProgress?: (done: number) => void,
  accept?: (outcome: ChunkedOutcome) => void,
): Promise<UpsertResult> {
  // New invoices already past the hold line are stored as past it: credit hold is weighed below.
  const { line } = await holdRules(deps, trx, teamId, now);
  const outcome = await applyInChunks(trx, teamId, now, batches, onProgress, line);
  accept?.(outcome);
  if (!outcome.complete) throw new Error('the invoices were not all applied: the outcome must be rejected');
  if (outcome.staged === 0)
    return { created: 0, updated: 0, unchanged: 0, payments: 0, paid: 0, accountsCreated: 0 };
  await settleStagedAccounts(trx);
  const paid = await logStagedPayments(trx, teamId, now);
  for (let after = ''; ; ) {
    const numbers = await stagedLinkedNumbers(trx, after, CHUNK);
    if (numbers.length === 0) break;
    await queueFirstInvoiceDms(trx, teamId, numbers);
    after = numbers.at(-1) as string;
  }
  for (let after = 0; ; ) {
    const page = await stagedPayments(trx, after, CHUNK);
    if (page.length === 0) break;
    await queuePaymentPosts(
      deps,
      trx,
      page.map((p) => ({ ...p, byUserId: null, sourceKey: null })),
    );
    after = (page.at(-1) as (typeof page)[number]).invoice.id;
  }
  await recomputeCreditHold(deps, trx, outcome.touched, now);
  if (outcome.touched.length > 0) await refreshHomes(deps, trx, teamId, await ownersOf(trx, outcome.touched));
  return {
    created: outcome.created,
    updated: outcome.updated,
    unchanged: outcome.unchanged,
    payments: paid.payments,
    paid: paid.paid,
    accountsCreated: outcome.accountsCreated,
  };
}

export interface PaymentRecord {
  invoice: Pick<
    Invoice,
    'id' | 'number' | 'amount_cents' | 'balance_cents' | 'currency' | 'due_on' | 'issued_on' | 'status'
  >;
  account: Pick<Account, 'id' | 'team_id' | 'name' | 'owner_user_id' | 'thread_ts'>;
  amountCents: number;
  byUserId: string | null;
  sourceKey: string | null;
  note?: string | null;
}

/**
 * Logs payments on invoices (whose balances are already updated) and posts them in the accounts'
 * threads; a payment that clears an invoice tells the rep in the thread and by DM. In bulk: one
 * insert for the log and one for the notifications, whatever the count.
 */
export async function recordPayments(
  deps: ConfigDeps,
  trx: Trx,
  payments: readonly PaymentRecord[],
  now: Date,
): Promise<void> {
  if (payments.length === 0) return;
  await insertCollectionUpdates(
    trx,
    payments.map((p) => ({
      team_id: p.account.team_id,
      account_id: p.account.id,
      invoice_id: p.invoice.id,
      author_user_id: p.byUserId,
      kind: 'payment_received' as const,
      amount_cents: p.amountCents,
      note: p.note ?? null,
      source_key: p.sourceKey,
      created_at: now,
    })),
  );
  await queuePaymentPosts(deps, trx, payments);
}

/** Posts payments (already logged) in the accounts' threads; one that clears an invoice also DMs the rep. */
async function queuePaymentPosts(
  deps: ConfigDeps,
  trx: Trx,
  payments: readonly PaymentRecord[],
): Promise<void> {
  const roots = payments.flatMap((p) => (p.account.thread_ts ? [] : [threadRootNotification(p.account)]));
  // Roots first: a new thread's root is delivered before the replies to it.
  const commission = new Map<string, boolean>();
  for (const teamId of new Set(payments.map((p) => p.account.team_id)))
    commission.set(teamId, (await settingsFor(deps, teamId, trx)).COMMISSION_ON_COLLECTION);
  const posts = payments.flatMap((p) => paymentPosts(commission.get(p.account.team_id) === true, p));
  await enqueueMany(trx, [...roots, ...posts]);
}

function paymentPosts(commissionEligible: boolean, p: PaymentRecord): NewNotification[] {
  const teamId = p.account.team_id;
  const target = accountThread(p.account);
  const invoice = collectionInvoice(p.invoice);
  const accountName = p.account.name;
  if (p.invoice.status !== 'paid') {
    return [
      {
        teamId,
        dedupeKey: `payment:${p.invoice.number}:${p.invoice.balance_cents}`,
        target,
        message: paymentRecordedPost({
          invoice,
          accountName,
          amountCents: p.amountCents,
          byUserId: p.byUserId,
        }),
      },
    ];
  }
  const repUserId = p.account.owner_user_id;
  return [
    {
      teamId,
      dedupeKey: `paid:${p.invoice.number}`,
      target,
      message: invoicePaidPost({ invoice, accountName, repUserId, commissionEligible }),
    },
    ...(repUserId
      ? [
          {
            teamId,
            dedupeKey: `paid:${p.invoice.number}:dm`,
            target: { kind: 'user' as const, userId: repUserId },
            message: invoicePaidDm({ invoice, accountName, commissionEligible }),
          },
        ]
      : []),
  ];
}
