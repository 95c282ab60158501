import { sql, type Transaction } from 'kysely';
import { nameKey } from '../db/accounts.ts';
import type { Account, Database, Invoice } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { enqueueMany, type NewNotification } from '../outbox/outbox.ts';
import {
  collectionInvoice,
  invoicePaidDm,
  invoicePaidPost,
  paymentRecordedPost,
} from '../views/collections-messages.ts';
import { accountThread, threadRootNotification } from './account-thread.ts';
import { recomputeCreditHold } from './credit-hold.ts';
import { refreshHomes } from './home.ts';

/** One invoice as the API or a CSV import gives it, already validated. */
export interface InvoiceInput {
  number: string;
  account: { crmId: string | null; name: string | null; creditLimitCents?: number | null };
  amountCents: number;
  balanceCents: number;
  currency: string;
  issuedOn: string;
  dueOn: string;
  status?: 'open' | 'paid' | 'void';
  dealCrmId?: string | null;
}

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

type ConfigDeps = Pick<Deps, 'config'>;

/** A zero balance means paid, whatever the source says about an open invoice. */
function statusOf(row: InvoiceInput): 'open' | 'paid' | 'void' {
  if (row.status === 'void') return 'void';
  if (row.balanceCents === 0) return 'paid';
  return row.status ?? 'open';
}

/**
 * Upserts invoices by number within the workspace, in batches: accounts are matched by CRM id,
 * then by name (case and spacing insensitive), and created when new. A lower balance records a
 * payment; a balance that reaches zero marks the invoice paid and tells the rep. Credit hold is
 * recomputed for every account touched. Runs inside the caller's transaction: all or nothing.
 */
export async function upsertInvoices(
  deps: ConfigDeps,
  trx: Transaction<Database>,
  teamId: string,
  rows: readonly InvoiceInput[],
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
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const accounts = await resolveAccounts(trx, teamId, chunk, result);
    const deals = await resolveDeals(trx, teamId, chunk);
    const existing = new Map(
      (
        await trx
          .selectFrom('invoices')
          .selectAll()
          .where('team_id', '=', teamId)
          .where(
            'number',
            'in',
            chunk.map((r) => r.number),
          )
          .execute()
      ).map((inv) => [inv.number, inv]),
    );
    const writes = [];
    const paymentsMade: Array<{ before: Invoice; after: InvoiceInput; account: Account }> = [];
    for (const row of chunk) {
      const account = accounts.get(accountKey(row)) as Account;
      const before = existing.get(row.number);
      const status = statusOf(row);
      const dealId = row.dealCrmId
        ? (deals.get(row.dealCrmId) ?? before?.deal_id ?? null)
        : (before?.deal_id ?? null);
      const values = {
        team_id: teamId,
        number: row.number,
        account_id: account.id,
        deal_id: dealId,
        amount_cents: row.amountCents,
        balance_cents: row.balanceCents,
        currency: row.currency,
        issued_on: row.issuedOn,
        due_on: row.dueOn,
        status,
        paid_at: status === 'paid' ? (before?.paid_at ?? now) : null,
      };
      if (
        before &&
        before.account_id === values.account_id &&
        before.deal_id === values.deal_id &&
        before.amount_cents === values.amount_cents &&
        before.balance_cents === values.balance_cents &&
        before.currency === values.currency &&
        before.issued_on === values.issued_on &&
        before.due_on === values.due_on &&
        before.status === values.status
      ) {
        result.unchanged += 1;
        continue;
      }
      if (before) result.updated += 1;
      else result.created += 1;
      writes.push(values);
      touched.add(account.id);
      if (before) touched.add(before.account_id);
      if (
        before &&
        before.status === 'open' &&
        row.balanceCents < before.balance_cents &&
        status !== 'void'
      ) {
        paymentsMade.push({ before, after: row, account });
      }
    }
    if (writes.length > 0) {
      await trx
        .insertInto('invoices')
        .values(writes)
        .onConflict((oc) =>
          oc.columns(['team_id', 'number']).doUpdateSet((eb) => ({
            account_id: eb.ref('excluded.account_id'),
            deal_id: eb.ref('excluded.deal_id'),
            amount_cents: eb.ref('excluded.amount_cents'),
            balance_cents: eb.ref('excluded.balance_cents'),
            currency: eb.ref('excluded.currency'),
            issued_on: eb.ref('excluded.issued_on'),
            due_on: eb.ref('excluded.due_on'),
            status: eb.ref('excluded.status'),
            paid_at: eb.ref('excluded.paid_at'),
            updated_at: new Date(),
          })),
        )
        .execute();
    }
    await recordPayments(
      deps,
      trx,
      paymentsMade.map((p) => ({
        invoice: { ...p.before, balance_cents: p.after.balanceCents, status: statusOf(p.after) },
        account: p.account,
        amountCents: p.before.balance_cents - p.after.balanceCents,
        byUserId: null,
        sourceKey: `import:${p.before.number}:${p.after.balanceCents}:${p.before.updated_at.getTime()}`,
      })),
      now,
    );
    result.payments += paymentsMade.length;
    result.paid += paymentsMade.filter((p) => statusOf(p.after) === 'paid').length;
    onProgress?.(Math.min(i + CHUNK, rows.length));
    // Keep the planner's statistics current during a large import, so the lookups above keep
    // using the (team_id, number) index instead of scanning the workspace's invoices.
    if ((i / CHUNK) % ANALYZE_EVERY_CHUNKS === ANALYZE_EVERY_CHUNKS - 1)
      await sql`analyze invoices`.execute(trx);
  }
  await recomputeCreditHold(deps, trx, [...touched], now);
  if (touched.size > 0) {
    const owners = await trx
      .selectFrom('accounts')
      .select('owner_user_id')
      .distinct()
      .where('id', 'in', [...touched])
      .where('owner_user_id', 'is not', null)
      .execute();
    await refreshHomes(
      deps,
      trx,
      teamId,
      owners.map((o) => o.owner_user_id),
    );
  }
  return result;
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
  trx: Transaction<Database>,
  payments: readonly PaymentRecord[],
  now: Date,
): Promise<void> {
  if (payments.length === 0) return;
  for (let i = 0; i < payments.length; i += 1_000) {
    await trx
      .insertInto('collection_updates')
      .values(
        payments.slice(i, i + 1_000).map((p) => ({
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
      )
      .onConflict((oc) => oc.columns(['team_id', 'source_key']).doNothing())
      .execute();
  }
  const roots: NewNotification[] = [];
  const posts: NewNotification[] = [];
  const commissionEligible = deps.config.COMMISSION_ON_COLLECTION;
  for (const p of payments) {
    const teamId = p.account.team_id;
    const target = accountThread(deps, p.account);
    if (!p.account.thread_ts) roots.push(threadRootNotification(deps, p.account));
    const invoice = collectionInvoice(p.invoice);
    if (p.invoice.status !== 'paid') {
      posts.push({
        teamId,
        dedupeKey: `payment:${p.invoice.number}:${p.invoice.balance_cents}`,
        target,
        message: paymentRecordedPost({
          invoice,
          accountName: p.account.name,
          amountCents: p.amountCents,
          byUserId: p.byUserId,
        }),
      });
      continue;
    }
    posts.push({
      teamId,
      dedupeKey: `paid:${p.invoice.number}`,
      target,
      message: invoicePaidPost({
        invoice,
        accountName: p.account.name,
        repUserId: p.account.owner_user_id,
        commissionEligible,
      }),
    });
    if (p.account.owner_user_id) {
      posts.push({
        teamId,
        dedupeKey: `paid:${p.invoice.number}:dm`,
        target: { kind: 'user', userId: p.account.owner_user_id },
        message: invoicePaidDm({ invoice, accountName: p.account.name, commissionEligible }),
      });
    }
  }
  // Roots first: a new thread's root is delivered before the replies to it.
  await enqueueMany(trx, [...roots, ...posts]);
}

function accountKey(row: InvoiceInput): string {
  return row.account.crmId ? `crm:${row.account.crmId}` : `name:${nameKey(row.account.name ?? '')}`;
}

/** Every account the chunk names, found by CRM id, then by name, else created. */
async function resolveAccounts(
  trx: Transaction<Database>,
  teamId: string,
  chunk: readonly InvoiceInput[],
  result: UpsertResult,
): Promise<Map<string, Account>> {
  const refs = new Map<string, InvoiceInput['account']>();
  for (const row of chunk) refs.set(accountKey(row), row.account);
  const crmIds = [...refs.values()].flatMap((a) => (a.crmId ? [a.crmId] : []));
  const names = [...refs.values()].flatMap((a) => (a.name ? [nameKey(a.name)] : []));
  const found = new Map<string, Account>();
  const byCrm =
    crmIds.length > 0
      ? await trx
          .selectFrom('accounts')
          .selectAll()
          .where('team_id', '=', teamId)
          .where('crm_id', 'in', crmIds)
          .execute()
      : [];
  const byName =
    names.length > 0
      ? await trx
          .selectFrom('accounts')
          .selectAll()
          .where('team_id', '=', teamId)
          .where('name_key', 'in', names)
          .orderBy('id')
          .execute()
      : [];
  const crmIndex = new Map(byCrm.map((a) => [a.crm_id as string, a]));
  const nameIndex = new Map<string, Account>();
  for (const a of byName) if (!nameIndex.has(a.name_key)) nameIndex.set(a.name_key, a);
  const missing: Array<[string, InvoiceInput['account']]> = [];
  for (const [key, ref] of refs) {
    const byId = ref.crmId ? crmIndex.get(ref.crmId) : undefined;
    const named = ref.name ? nameIndex.get(nameKey(ref.name)) : undefined;
    // A name match stands in for a CRM id only when that account has no other CRM id.
    const match = byId ?? (named && (!ref.crmId || named.crm_id === null) ? named : undefined);
    if (match) found.set(key, match);
    else missing.push([key, ref]);
  }
  if (missing.length > 0) {
    const created = await trx
      .insertInto('accounts')
      .values(
        missing.map(([, ref]) => {
          const name = ref.name ?? ref.crmId ?? 'Unnamed account';
          return { team_id: teamId, crm_id: ref.crmId, name, name_key: nameKey(name) };
        }),
      )
      .returningAll()
      .execute();
    for (const account of created) {
      found.set(account.crm_id ? `crm:${account.crm_id}` : `name:${account.name_key}`, account);
    }
    result.accountsCreated += created.length;
  }
  // Credit limits given with the invoices.
  for (const [key, ref] of refs) {
    const account = found.get(key) as Account;
    if (ref.creditLimitCents !== undefined && ref.creditLimitCents !== account.credit_limit_cents) {
      const currency = chunk.find((r) => accountKey(r) === key)?.currency ?? null;
      const updated = await trx
        .updateTable('accounts')
        .set({
          credit_limit_cents: ref.creditLimitCents,
          credit_limit_currency: currency,
          updated_at: new Date(),
        })
        .where('id', '=', account.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      found.set(key, updated);
    }
  }
  return found;
}

async function resolveDeals(trx: Transaction<Database>, teamId: string, chunk: readonly InvoiceInput[]) {
  const ids = [...new Set(chunk.flatMap((r) => (r.dealCrmId ? [r.dealCrmId] : [])))];
  if (ids.length === 0) return new Map<string, number>();
  const deals = await trx
    .selectFrom('deals')
    .select(['id', 'crm_id'])
    .where('team_id', '=', teamId)
    .where('crm_id', 'in', ids)
    .execute();
  return new Map(deals.map((d) => [d.crm_id, d.id]));
}
