import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('invoices')
    // The highest past-due threshold (days) the rep was pinged for; 0 before the first ping.
    .addColumn('pinged_threshold', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('promise_date', 'date')
    .addColumn('promise_broken_pinged', 'boolean', (c) => c.notNull().defaultTo(false))
    // Set once the sweep has seen the invoice cross the credit-hold age (a time trigger, not the hold itself).
    .addColumn('past_hold', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('paid_at', 'timestamptz')
    .execute();
  // The past-due sweep reads only invoices due for a ping: per pinged threshold, a range of due dates.
  await sql`create index invoices_ping_idx on invoices (pinged_threshold, due_on)
    where status = 'open' and dispute_state <> 'open'`.execute(db);
  await sql`create index invoices_promise_idx on invoices (promise_date)
    where status = 'open' and promise_date is not null and promise_broken_pinged = false`.execute(db);
  await sql`create index invoices_hold_idx on invoices (due_on) where status = 'open' and past_hold = false`.execute(
    db,
  );
  await sql`create index invoices_number_prefix_idx on invoices (team_id, lower(number) text_pattern_ops)`.execute(
    db,
  );
  await sql`create index accounts_name_prefix_idx on accounts (team_id, name_key text_pattern_ops)`.execute(
    db,
  );

  await db.schema
    .alterTable('accounts')
    .addColumn('credit_limit_currency', 'char(3)')
    // Counts hold transitions; part of the dedupe key of each on/off post.
    .addColumn('credit_hold_changes', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of [
    'invoices_ping_idx',
    'invoices_promise_idx',
    'invoices_hold_idx',
    'invoices_number_prefix_idx',
    'accounts_name_prefix_idx',
  ]) {
    await sql`drop index ${sql.id(index)}`.execute(db);
  }
  await db.schema
    .alterTable('invoices')
    .dropColumn('pinged_threshold')
    .dropColumn('promise_date')
    .dropColumn('promise_broken_pinged')
    .dropColumn('past_hold')
    .dropColumn('paid_at')
    .execute();
  await db.schema
    .alterTable('accounts')
    .dropColumn('credit_limit_currency')
    .dropColumn('credit_hold_changes')
    .execute();
}
