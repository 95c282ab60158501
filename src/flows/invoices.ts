import {
  findAccountsByCrmId,
  findAccountsByNameKey,
  insertAccounts,
  nameKey,
  ownersOf,
  setCreditLimit,
} from '../db/accounts.ts';
import { insertCollectionUpdates } from '../db/collection-updates.ts';
import { dealIdsByCrmId } from '../db/deals.ts';
import { analyzeInvoices, findInvoicesByNumber, upsertInvoiceRows } from '../db/invoices.ts';
import type { Account, Invoice, NewInvoice, Trx } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { type InvoiceInput, invoiceStatus } from '../domain/invoice-input.ts';
import { enqueueMany, type NewNotification } from '../outbox/outbox.ts';
import {
  collectionInvoice,
  invoicePaidDm,
  invoicePaidPost,
  paymentRecordedPost,
} from '../views/collections-messages.ts';
import { accountThread, threadRootNotification } from './account-thread.ts';
import { recomputeCreditHold } from './credit-hold.ts';
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

const CHUNK = 2_000;
const ANALYZE_EVERY_CHUNKS = 5;

type ConfigDeps = Pick<Deps, 'config' | 'db'>;

type Payment = { before: Invoice; after: InvoiceInput; account: Account };

/**
 * Upserts invoices by number within the workspace, in batches: accounts are matched by CRM id,
 * then by name (case and spacing insensitive), and created when new. A lower balance records a
 * payment; a balance that reaches zero marks the invoice paid and tells the rep. Credit hold is
 * recomputed for every account touched. Runs inside the caller's transaction: all or nothing.
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

async function* inBatches(rows: readonly InvoiceInput[]): AsyncGenerator<readonly InvoiceInput[]> {
  for (let i = 0; i < rows.length; i += CHUNK) yield rows.slice(i, i + CHUNK);
}

/**
 * `upsertInvoices` over batches that arrive one after another (a file read as it streams, so that
 * it is never held whole): each is written as it comes, in chunks of at most 2,000; credit hold
 * and App Home follow once, after the last.
 */
export async function upsertInvoiceBatches(
  deps: ConfigDeps,
  trx: Trx,
  teamId: string,
  batches: AsyncIterable<readonly InvoiceInput[]>,
  now: Date,
  onProgress?: (done: number) => void,
): Promise<UpsertResult> {
  const result: UpsertResult = {
    created: 0,
    updated: 0,
    unchanged: 0,
    payments: 0,
    paid: 0,
    accountsCreated: 0,
  };
  const touched = new Set<number>();
  let done = 0;
  let chunks = 0;
  for await (const batch of batches) {
    for (let i = 0; i < batch.length; i += CHUNK) {
      const chunk = batch.slice(i, i + CHUNK);
      const linked = new Set<string>();
      const payments = await upsertChunk(trx, teamId, chunk, now, result, touched, linked);
      await queueFirstInvoiceDms(trx, teamId, [...linked]);
      await recordPayments(deps, trx, payments.map(paymentRecord), now);
      result.payments += payments.length;
      result.paid += payments.filter((p) => invoiceStatus(p.after) === 'paid').length;
      done += chunk.length;
      chunks += 1;
      onProgress?.(done);
      // Keep the planner's statistics current during a large import.
      if (chunks % ANALYZE_EVERY_CHUNKS === 0) await analyzeInvoices(trx);
    }
  }
  await recomputeCreditHold(deps, trx, [...touched], now);
  if (touched.size > 0) await refreshHomes(deps, trx, teamId, await ownersOf(trx, [...touched]));
  return result;
}

/** Writes one chunk's new and changed invoices; returns the payments it recorded (lower balances). */
async function upsertChunk(
  trx: Trx,
  teamId: string,
  chunk: readonly InvoiceInput[],
  now: Date,
  result: UpsertResult,
  touched: Set<number>,
  /** Numbers of the invoices that now carry a link they did not have, or a new deal. */
  linked: Set<string>,
): Promise<Payment[]> {
  const accounts = await resolveAccounts(trx, teamId, chunk, result);
  const deals = await dealIdsByCrmId(trx, teamId, [
    ...new Set(chunk.flatMap((r) => (r.dealCrmId ? [r.dealCrmId] : []))),
  ]);
  const existing = new Map(
    (
      await findInvoicesByNumber(
        trx,
        teamId,
        chunk.map((r) => r.number),
      )
    ).map((inv) => [inv.number, inv]),
  );
  const writes: NewInvoice[] = [];
  const payments: Payment[] = [];
  for (const row of chunk) {
    const account = accounts.get(accountKey(row)) as Account;
    const before = existing.get(row.number);
    const values = invoiceRow(teamId, row, account, before, deals, now);
    if (before && unchanged(before, values)) {
      result.unchanged += 1;
      continue;
    }
    if (before) result.updated += 1;
    else result.created += 1;
    writes.push(values);
    if (values.url !== null && (before?.url == null || before.deal_id !== values.deal_id))
      linked.add(row.number);
    touched.add(account.id);
    if (before) touched.add(before.account_id);
    if (before?.status === 'open' && row.balanceCents < before.balance_cents && values.status !== 'void') {
      payments.push({ before, after: row, account });
    }
  }
  await upsertInvoiceRows(trx, writes);
  return payments;
}

function invoiceRow(
  teamId: string,
  row: InvoiceInput,
  account: Account,
  before: Invoice | undefined,
  deals: Map<string, number>,
  now: Date,
) {
  const status = invoiceStatus(row);
  return {
    team_id: teamId,
    number: row.number,
    account_id: account.id,
    deal_id: row.dealCrmId
      ? (deals.get(row.dealCrmId) ?? before?.deal_id ?? null)
      : (before?.deal_id ?? null),
    amount_cents: row.amountCents,
    balance_cents: row.balanceCents,
    currency: row.currency,
    issued_on: row.issuedOn,
    due_on: row.dueOn,
    status,
    paid_at: status === 'paid' ? (before?.paid_at ?? now) : null,
    url: row.url ?? before?.url ?? null,
  };
}

function unchanged(before: Invoice, values: ReturnType<typeof invoiceRow>): boolean {
  return (
    before.account_id === values.account_id &&
    before.deal_id === values.deal_id &&
    before.amount_cents === values.amount_cents &&
    before.balance_cents === values.balance_cents &&
    before.currency === values.currency &&
    before.issued_on === values.issued_on &&
    before.due_on === values.due_on &&
    before.status === values.status &&
    before.url === values.url
  );
}

function paymentRecord(p: Payment): PaymentRecord {
  return {
    invoice: { ...p.before, balance_cents: p.after.balanceCents, status: invoiceStatus(p.after) },
    account: p.account,
    amountCents: p.before.balance_cents - p.after.balanceCents,
    byUserId: null,
    sourceKey: `import:${p.before.number}:${p.after.balanceCents}:${p.before.updated_at.getTime()}`,
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

function accountKey(row: InvoiceInput): string {
  return row.account.crmId ? `crm:${row.account.crmId}` : `name:${nameKey(row.account.name ?? '')}`;
}

/** Every account the chunk names, found by CRM id, then by name, else created. */
async function resolveAccounts(
  trx: Trx,
  teamId: string,
  chunk: readonly InvoiceInput[],
  result: UpsertResult,
): Promise<Map<string, Account>> {
  const refs = new Map<string, InvoiceInput['account']>();
  for (const row of chunk) refs.set(accountKey(row), row.account);
  const crmIds = [...refs.values()].flatMap((a) => (a.crmId ? [a.crmId] : []));
  const names = [...refs.values()].flatMap((a) => (a.name ? [nameKey(a.name)] : []));
  const crmIndex = new Map(
    (await findAccountsByCrmId(trx, teamId, crmIds)).map((a) => [a.crm_id as string, a]),
  );
  const nameIndex = new Map<string, Account>();
  for (const a of await findAccountsByNameKey(trx, teamId, names))
    if (!nameIndex.has(a.name_key)) nameIndex.set(a.name_key, a);
  const found = new Map<string, Account>();
  const missing: Array<InvoiceInput['account']> = [];
  for (const [key, ref] of refs) {
    const byId = ref.crmId ? crmIndex.get(ref.crmId) : undefined;
    const named = ref.name ? nameIndex.get(nameKey(ref.name)) : undefined;
    // A name match stands in for a CRM id only when that account has no other CRM id.
    const match = byId ?? (named && (!ref.crmId || named.crm_id === null) ? named : undefined);
    if (match) found.set(key, match);
    else missing.push(ref);
  }
  const created = await insertAccounts(
    trx,
    teamId,
    missing.map((ref) => ({ crmId: ref.crmId, name: ref.name ?? ref.crmId ?? 'Unnamed account' })),
  );
  for (const account of created)
    found.set(account.crm_id ? `crm:${account.crm_id}` : `name:${account.name_key}`, account);
  result.accountsCreated += created.length;
  // Credit limits given with the invoices.
  for (const [key, ref] of refs) {
    const account = found.get(key) as Account;
    if (ref.creditLimitCents !== undefined && ref.creditLimitCents !== account.credit_limit_cents) {
      const currency = chunk.find((r) => accountKey(r) === key)?.currency ?? null;
      found.set(key, await setCreditLimit(trx, account.id, ref.creditLimitCents, currency));
    }
  }
  return found;
}
