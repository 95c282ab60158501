import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // GiST rather than GIN for account names: the planner uses it for the OR of LIKE / % / <% the
  // typo-tolerant search runs, and it answers "closest names" by distance (<->) without a sort.
  await sql`drop index if exists accounts_name_trgm_idx`.execute(db);
  await sql`create index accounts_name_trgm_idx on accounts using gist (name_key gist_trgm_ops)`.execute(db);
  // Open invoices by due date, with what the ledger headline sums, readable from the index alone.
  await sql`create index invoices_open_due_idx on invoices (team_id, due_on)
    include (currency, balance_cents, dispute_state) where status = 'open'`.execute(db);
  // AR's dispute queue, oldest first.
  await sql`create index invoices_disputes_idx on invoices (team_id, updated_at)
    where status = 'open' and dispute_state = 'open'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index invoices_disputes_idx`.execute(db);
  await sql`drop index invoices_open_due_idx`.execute(db);
  await sql`drop index accounts_name_trgm_idx`.execute(db);
  await sql`create index accounts_name_trgm_idx on accounts using gin (name_key gin_trgm_ops)`.execute(db);
}
