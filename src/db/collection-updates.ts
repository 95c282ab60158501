import { sql } from 'kysely';
import { disputeReasonLabel, type UpdateKind } from '../domain/collections.ts';
import type { NewCollectionUpdate, Queryable } from './schema.ts';

/** The latest collection update about an invoice (or its account as a whole), as a ping shows it. */
export interface LastCollectionUpdate {
  kind: UpdateKind;
  note: string | null;
  authorUserId: string | null;
  at: Date;
}

/**
 * Logs one update; an update whose source key the workspace already has is not logged again.
 * Returns the new update's id, or undefined when it was a repeat.
 */
export async function insertCollectionUpdate(
  db: Queryable,
  update: NewCollectionUpdate,
): Promise<number | undefined> {
  const row = await db
    .insertInto('collection_updates')
    .values(update)
    .onConflict((oc) => oc.columns(['team_id', 'source_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** Logs many updates in few statements (payments of a bulk import), skipping repeats by source key. */
export async function insertCollectionUpdates(
  db: Queryable,
  updates: readonly NewCollectionUpdate[],
): Promise<void> {
  for (let i = 0; i < updates.length; i += 1_000) {
    await db
      .insertInto('collection_updates')
      .values(updates.slice(i, i + 1_000))
      .onConflict((oc) => oc.columns(['team_id', 'source_key']).doNothing())
      .execute();
  }
}

/** Whether an update with this source key was logged before. */
export async function hasCollectionUpdate(
  db: Queryable,
  teamId: string,
  sourceKey: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('collection_updates')
    .select('id')
    .where('team_id', '=', teamId)
    .where('source_key', '=', sourceKey)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The latest collection update about each invoice or its account as a whole, for many invoices in
 * two index-backed queries (`invoiceId → update`).
 */
export async function lastUpdatesOf(
  db: Queryable,
  invoices: ReadonlyArray<{ id: number; accountId: number }>,
): Promise<Map<number, LastCollectionUpdate>> {
  const result = new Map<number, LastCollectionUpdate>();
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

/** The reason of each invoice's latest dispute, as a label ('Pricing error'). */
export async function disputeReasonLabels(db: Queryable, invoiceIds: number[]): Promise<Map<number, string>> {
  const reasons = await disputeReasons(db, invoiceIds);
  return new Map([...reasons].map(([id, reason]) => [id, disputeReasonLabel(reason)]));
}

/** The reason of each invoice's latest dispute, as stored ('pricing_error'). */
export async function disputeReasons(db: Queryable, invoiceIds: number[]): Promise<Map<number, string>> {
  if (invoiceIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('collection_updates')
    .select(['invoice_id', 'dispute_reason'])
    .where('invoice_id', 'in', invoiceIds)
    .where('kind', '=', 'dispute_opened')
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
  const reasons = new Map<number, string>();
  for (const r of rows)
    if (r.invoice_id !== null && r.dispute_reason) reasons.set(r.invoice_id, r.dispute_reason);
  return reasons;
}
