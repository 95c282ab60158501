import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('deals')
    // Reminders about an incomplete handoff: how many went out, when the last did, a snooze.
    .addColumn('nags_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_nag_at', 'timestamptz')
    .addColumn('snoozed_until', 'timestamptz')
    .addColumn('nag_escalated_at', 'timestamptz')
    // Starts over when the deal moves to another rep; part of the reminders' dedupe keys.
    .addColumn('nag_cycle', 'integer', (c) => c.notNull().defaultTo(0))
    // The dedupe key of the owner's DM about this deal, edited in place when the handoff changes.
    .addColumn('dm_key', 'text')
    .execute();
  await sql`create index deals_nag_idx on deals (closed_at) where nag_escalated_at is null and owner_user_id is not null`.execute(
    db,
  );
  // A condition checked just before delivery: a message that became moot is not sent.
  await db.schema.alterTable('notifications').addColumn('guard', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('notifications').dropColumn('guard').execute();
  await sql`drop index deals_nag_idx`.execute(db);
  await db.schema
    .alterTable('deals')
    .dropColumn('nags_sent')
    .dropColumn('last_nag_at')
    .dropColumn('snoozed_until')
    .dropColumn('nag_escalated_at')
    .dropColumn('nag_cycle')
    .dropColumn('dm_key')
    .execute();
}
