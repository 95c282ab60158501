import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // Typo-tolerant account search for /ar-status (pg_trgm is a trusted extension from PostgreSQL 13).
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create index accounts_name_trgm_idx on accounts using gin (name_key gin_trgm_ops)`.execute(db);
  await sql`create index accounts_domain_idx on accounts (team_id, lower(domain))`.execute(db);
  // Who has looked at App Home: only they get it refreshed when something changes.
  await db.schema.alterTable('people').addColumn('home_opened_at', 'timestamptz').execute();
  await sql`create index invoices_open_account_idx on invoices (account_id, due_on) where status = 'open'`.execute(
    db,
  );
  await sql`create index collection_updates_recent_idx on collection_updates (team_id, kind, created_at)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index collection_updates_recent_idx`.execute(db);
  await sql`drop index invoices_open_account_idx`.execute(db);
  await db.schema.alterTable('people').dropColumn('home_opened_at').execute();
  await sql`drop index accounts_domain_idx`.execute(db);
  await sql`drop index accounts_name_trgm_idx`.execute(db);
}
