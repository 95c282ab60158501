import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // What a workspace set in App Home → Settings; the environment gives every other value.
  await db.schema
    .createTable('workspace_settings')
    .addColumn('team_id', 'text', (c) => c.primaryKey())
    // Setting name → the value as the environment would write it ("1,15,30", "09:00-18:00").
    .addColumn('overrides', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // The Slack user group whose members are AR staff, and its members when last read.
    .addColumn('ar_usergroup_id', 'text')
    .addColumn('ar_usergroup_members', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    // Connector → on (true) or off (false); absent: on once its credentials are set.
    .addColumn('connectors', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Every change: who, when, old → new (as text; secrets are recorded as "rotated", never their value).
  await db.schema
    .createTable('setting_changes')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('setting', 'text', (c) => c.notNull())
    .addColumn('old_value', 'text', (c) => c.notNull())
    .addColumn('new_value', 'text', (c) => c.notNull())
    .addColumn('changed_by', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index setting_changes_team_idx on setting_changes (team_id, changed_at desc)`.execute(db);
  // A workspace's own credentials: the invoices API token (its SHA-256) and sealed secrets.
  await db.schema
    .createTable('workspace_credentials')
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    // Exactly one: a bearer token's SHA-256, or a secret sealed with ENCRYPTION_KEY (npm run reseal).
    .addColumn('token_hash', 'text')
    .addColumn('sealed_value', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('workspace_credentials_pk', ['team_id', 'kind'])
    .addCheckConstraint(
      'workspace_credentials_one_value',
      sql`(token_hash is null) <> (sealed_value is null)`,
    )
    .execute();
  // The bearer token names its workspace: one hash, one workspace.
  await sql`create unique index workspace_credentials_token_idx on workspace_credentials (token_hash) where token_hash is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('workspace_credentials').execute();
  await db.schema.dropTable('setting_changes').execute();
  await db.schema.dropTable('workspace_settings').execute();
}
