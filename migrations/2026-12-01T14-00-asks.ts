import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // Something AR needs from the rep (or a customer question a rep passes to AR), about an account
  // and maybe one of its invoices, answered in a modal or in the account's thread.
  await db.schema
    .createTable('asks')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('invoice_id', 'integer', (c) => c.references('invoices.id').onDelete('set null'))
    // to_rep: AR asks the owning rep; to_ar: a rep passes a customer's question to AR.
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('to_rep', 'to_ar')`))
    .addColumn('asked_by', 'text', (c) => c.notNull())
    // The rep who owes the answer (to_rep); null when any AR person may answer.
    .addColumn('asked_of', 'text')
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('due_on', 'date')
    // Link to the Slack message the question came from (Send to AR).
    .addColumn('source_link', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('open').check(sql`status in ('open', 'answered')`),
    )
    .addColumn('answer', 'text')
    .addColumn('answered_by', 'text')
    .addColumn('answered_at', 'timestamptz')
    .addColumn('last_reminder_on', 'date')
    .addColumn('escalated_at', 'timestamptz')
    // The modal or message that created it: a retried submission creates it once.
    .addColumn('source_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('asks_source_key_unique', ['team_id', 'source_key'])
    .execute();
  await sql`create index asks_open_idx on asks (team_id, asked_of) where status = 'open'`.execute(db);
  await sql`create index asks_account_idx on asks (account_id) where status = 'open'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('asks').execute();
}
