import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/**
 * Fewer and narrower index entries per new invoice (an import writes 100,000 of them in about 2 s,
 * most of it B-tree insertion):
 * - `invoices_account_idx (account_id, status)` took an entry for every invoice, paid ones too, and no
 *   query reads it: every read of an account's invoices asks for the open ones, and the planner takes
 *   the partial `invoices_open_account_idx (account_id, due_on) where status = 'open'` for each of them
 *   (credit hold, the account book, /ar-status, App Home, the digest), at 1,000,000 and at 10,000,000
 *   invoices alike. Nothing deletes accounts, so no foreign-key check looks for an account's invoices.
 * - `invoices_open_due_idx` keeps its key (AR's oldest overdue reads it in due order) without the
 *   columns it included for the ledger headline, which the ledger rollup answers now.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index invoices_account_idx`.execute(db);
  await sql`drop index invoices_open_due_idx`.execute(db);
  await sql`create index invoices_open_due_idx on invoices (team_id, due_on) where status = 'open'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index invoices_open_due_idx`.execute(db);
  await sql`create index invoices_open_due_idx on invoices (team_id, due_on)
    include (currency, balance_cents, dispute_state) where status = 'open'`.execute(db);
  await sql`create index invoices_account_idx on invoices (account_id, status)`.execute(db);
}
