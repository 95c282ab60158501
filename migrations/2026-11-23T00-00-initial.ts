import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('people')
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('name', 'text')
    .addColumn('role', 'text', (c) =>
      c.notNull().defaultTo('rep').check(sql`role in ('rep', 'ar', 'manager')`),
    )
    .addColumn('manager_user_id', 'text')
    .addColumn('tz', 'text')
    .addColumn('tz_checked_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('people_pkey', ['team_id', 'user_id'])
    .execute();
  await db.schema.createIndex('people_email_idx').on('people').columns(['team_id', 'email']).execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('crm_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('domain', 'text')
    .addColumn('owner_user_id', 'text')
    .addColumn('credit_limit_cents', 'bigint')
    .addColumn('credit_hold', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('credit_hold_since', 'timestamptz')
    .addColumn('thread_channel', 'text')
    .addColumn('thread_ts', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index accounts_crm_id_key on accounts (team_id, crm_id) where crm_id is not null`.execute(
    db,
  );
  await db.schema
    .createIndex('accounts_name_key_idx')
    .on('accounts')
    .columns(['team_id', 'name_key'])
    .execute();
  await db.schema
    .createIndex('accounts_owner_idx')
    .on('accounts')
    .columns(['team_id', 'owner_user_id'])
    .execute();

  await db.schema
    .createTable('deals')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('crm_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull().check(sql`amount_cents >= 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('owner_user_id', 'text')
    .addColumn('owner_email', 'text')
    .addColumn('prefill', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('webhook', 'slack')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('deals_crm_id_key', ['team_id', 'crm_id'])
    .execute();
  await db.schema
    .createIndex('deals_owner_idx')
    .on('deals')
    .columns(['team_id', 'owner_user_id', 'closed_at'])
    .execute();
  await db.schema.createIndex('deals_account_idx').on('deals').column('account_id').execute();

  await db.schema
    .createTable('handoffs')
    .addColumn('deal_id', 'integer', (c) => c.primaryKey().references('deals.id'))
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('fields', 'jsonb', (c) => c.notNull())
    .addColumn('complete', 'boolean', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('submitted_by', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('invoices')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('deal_id', 'integer', (c) => c.references('deals.id'))
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('balance_cents', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('issued_on', 'date', (c) => c.notNull())
    .addColumn('due_on', 'date', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('open').check(sql`status in ('open', 'paid', 'void')`),
    )
    .addColumn('dispute_state', 'text', (c) =>
      c.notNull().defaultTo('none').check(sql`dispute_state in ('none', 'open', 'resolved')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('invoices_number_key', ['team_id', 'number'])
    .execute();
  await db.schema
    .createIndex('invoices_account_idx')
    .on('invoices')
    .columns(['account_id', 'status'])
    .execute();

  await db.schema
    .createTable('collection_updates')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('invoice_id', 'integer', (c) => c.references('invoices.id'))
    .addColumn('author_user_id', 'text')
    .addColumn('kind', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`kind in ('note', 'reminder_sent', 'contacted', 'promise_to_pay', 'dispute_opened', 'dispute_resolved', 'payment_received', 'escalated', 'written_off')`,
        ),
    )
    .addColumn('note', 'text')
    .addColumn('promise_date', 'date')
    .addColumn('dispute_reason', 'text')
    .addColumn('amount_cents', 'bigint')
    .addColumn('source_key', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('collection_updates_source_key', ['team_id', 'source_key'])
    .execute();
  await db.schema
    .createIndex('collection_updates_account_idx')
    .on('collection_updates')
    .columns(['account_id', 'created_at'])
    .execute();

  // The outbox: every message the app sends on its own is a row first, then delivered once.
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('target', 'jsonb', (c) => c.notNull())
    .addColumn('message', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'sending', 'sent', 'failed', 'cancelled')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('channel', 'text')
    .addColumn('ts', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addUniqueConstraint('notifications_dedupe_key', ['team_id', 'dedupe_key'])
    .execute();
  await sql`create index notifications_due_idx on notifications (next_attempt_at) where status in ('pending', 'sending')`.execute(
    db,
  );

  // Slack retries and double clicks: the first delivery of a request id wins.
  await db.schema
    .createTable('seen_requests')
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('request_key', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('seen_requests_pkey', ['team_id', 'request_key'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'seen_requests',
    'notifications',
    'collection_updates',
    'invoices',
    'handoffs',
    'deals',
    'accounts',
    'people',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
