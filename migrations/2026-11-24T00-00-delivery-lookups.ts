import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('notifications')
    // When delivery was first tried: a look-up for a message that may have reached Slack starts there.
    .addColumn('first_attempt_at', 'timestamptz')
    // An earlier attempt may have reached Slack (its answer was lost, or its worker died while sending):
    // the next attempt looks for the message before posting again.
    .addColumn('maybe_posted', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('notifications')
    .dropColumn('maybe_posted')
    .dropColumn('first_attempt_at')
    .execute();
}
