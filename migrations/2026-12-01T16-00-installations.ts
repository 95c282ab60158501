import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // One row per workspace the app was installed into through /slack/install (multi-workspace
  // mode). Tokens are sealed with ENCRYPTION_KEY (v1.<key id>.<iv>.<tag>.<ciphertext>), and are
  // deleted (set to null) when the workspace uninstalls the app or revokes them; the row stays, so
  // that a reinstall finds the workspace again.
  await db.schema
    .createTable('installations')
    .addColumn('team_id', 'text', (c) => c.primaryKey())
    .addColumn('enterprise_id', 'text')
    .addColumn('team_name', 'text')
    .addColumn('team_url', 'text')
    .addColumn('app_id', 'text')
    .addColumn('bot_token', 'text')
    .addColumn('bot_refresh_token', 'text')
    .addColumn('bot_token_expires_at', 'timestamptz')
    .addColumn('bot_user_id', 'text', (c) => c.notNull())
    .addColumn('bot_id', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('installer_user_id', 'text')
    .addColumn('installed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('uninstalled_at', 'timestamptz')
    .addColumn('uninstall_reason', 'text')
    .addCheckConstraint('installations_token_state', sql`(uninstalled_at is null) = (bot_token is not null)`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('installations').execute();
}
