import type { Kysely, Transaction } from 'kysely';
import type { CollectionUpdateKind, Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface LastUpdate {
  kind: CollectionUpdateKind;
  note: string | null;
  authorUserId: string | null;
  at: Date;
}

/** The latest collection update about this invoice or its account as a whole. */
export async function lastUpdateOf(
  db: Db,
  accountId: number,
  invoiceId: number | null,
): Promise<LastUpdate | null> {
  const row = await db
    .selectFrom('collection_updates')
    .select(['kind', 'note', 'author_user_id', 'created_at'])
    .where('account_id', '=', accountId)
    .where((eb) =>
      invoiceId === null
        ? eb.lit(true)
        : eb.or([eb('invoice_id', '=', invoiceId), eb('invoice_id', 'is', null)]),
    )
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row
    ? { kind: row.kind, note: row.note, authorUserId: row.author_user_id, at: row.created_at }
    : null;
}
