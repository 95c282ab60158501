import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/**
 * Whether a linked invoice is its deal's first (src/db/first-invoices.ts) read from indexes instead
 * of a scan of every invoice per invoice asked about (2.1 s for 50 numbers at 1,000,000 invoices):
 * - a deal's invoices: `invoices_deal_idx`, an entry only for invoices that name a deal;
 * - an account's invoices without a deal: the open ones from `invoices_open_account_idx`, the paid
 *   ones from `invoices_paid_account_idx`. An invoice takes an entry in the latter when it is paid,
 *   so an import or batch of open invoices writes none.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index invoices_deal_idx on invoices (deal_id, issued_on)
    where deal_id is not null and status <> 'void'`.execute(db);
  await sql`create index invoices_paid_account_idx on invoices (account_id, issued_on)
    where status = 'paid' and deal_id is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index invoices_paid_account_idx`.execute(db);
  await sql`drop index invoices_deal_idx`.execute(db);
}
