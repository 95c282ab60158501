import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // The last collection update about an invoice, or about its account as a whole, in one index probe each.
  await sql`create index collection_updates_invoice_idx on collection_updates (invoice_id, created_at)
    where invoice_id is not null`.execute(db);
  await sql`create index collection_updates_account_only_idx on collection_updates (account_id, created_at)
    where invoice_id is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index collection_updates_account_only_idx`.execute(db);
  await sql`drop index collection_updates_invoice_idx`.execute(db);
}
