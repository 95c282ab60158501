import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, Invoice } from '../db/schema.ts';
import type { UpdateKind } from '../domain/collections.ts';
import type { CollectionInvoice } from '../views/collections-messages.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface LastUpdate {
  kind: UpdateKind;
  note: string | null;
  authorUserId: string | null;
  at: Date;
}

/**
 * The latest collection update about each invoice or its account as a whole, for many invoices in
 * two index-backed queries (`invoiceId → update`).
 */
export async function lastUpdatesOf(
  db: Db,
  invoices: ReadonlyArray<{ id: number; accountId: number }>,
): Promise<Map<number, LastUpdate>> {
  const result = new Map<number, LastUpdate>();
  if (invoices.length === 0) return result;
  const byInvoice = await db
    .selectFrom('collection_updates')
    .select(['invoice_id', 'kind', 'note', 'author_user_id', 'created_at'])
    .distinctOn('invoice_id')
    .where(
      'invoice_id',
      'in',
      invoices.map((i) => i.id),
    )
    .orderBy('invoice_id')
    .orderBy('created_at', 'desc')
    .orderBy(sql`id`, 'desc')
    .execute();
  const accountIds = [...new Set(invoices.map((i) => i.accountId))];
  const byAccount = await db
    .selectFrom('collection_updates')
    .select(['account_id', 'kind', 'note', 'author_user_id', 'created_at'])
    .distinctOn('account_id')
    .where('account_id', 'in', accountIds)
    .where('invoice_id', 'is', null)
    .orderBy('account_id')
    .orderBy('created_at', 'desc')
    .orderBy(sql`id`, 'desc')
    .execute();
  const invoiceUpdates = new Map(byInvoice.map((u) => [u.invoice_id as number, u]));
  const accountUpdates = new Map(byAccount.map((u) => [u.account_id, u]));
  for (const inv of invoices) {
    const a = invoiceUpdates.get(inv.id);
    const b = accountUpdates.get(inv.accountId);
    const latest = a && b ? (a.created_at >= b.created_at ? a : b) : (a ?? b);
    if (latest) {
      result.set(inv.id, {
        kind: latest.kind,
        note: latest.note,
        authorUserId: latest.author_user_id,
        at: latest.created_at,
      });
    }
  }
  return result;
}

/** An invoice row as the collections messages show it. */
export function collectionInvoice(
  inv: Pick<Invoice, 'number' | 'amount_cents' | 'balance_cents' | 'currency' | 'due_on' | 'issued_on'>,
): CollectionInvoice {
  return {
    number: inv.number,
    amountCents: inv.amount_cents,
    balanceCents: inv.balance_cents,
    currency: inv.currency,
    dueOn: inv.due_on,
    issuedOn: inv.issued_on,
  };
}
