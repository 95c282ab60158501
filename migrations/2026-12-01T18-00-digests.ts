import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // One row per weekly digest and reader (a manager, or the finance channel), written in the same
  // transaction as its outbox rows: replicas and restarts send each digest once.
  await db.schema
    .createTable('digests')
    .addColumn('team_id', 'text', (c) => c.notNull())
    // 'user:U…' for a manager, 'channel:C…' for the finance channel.
    .addColumn('reader', 'text', (c) => c.notNull())
    // The occurrence of DIGEST_CRON on the reader's wall clock, 'YYYY-MM-DDTHH:MM'.
    .addColumn('occurrence', 'text', (c) => c.notNull())
    .addColumn('week_start', 'timestamptz', (c) => c.notNull())
    .addColumn('week_end', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('digests_pkey', ['team_id', 'reader', 'occurrence'])
    .execute();
  // The digest reads the handoffs completed in a week.
  await sql`create index handoffs_completed_idx on handoffs (team_id, completed_at) where completed_at is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index handoffs_completed_idx`.execute(db);
  await db.schema.dropTable('digests').execute();
}
