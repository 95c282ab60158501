import type { Queryable, Trx } from './schema.ts';

/** What a workspace set in Settings, as stored. */
export interface StoredSettings {
  overrides: Record<string, string>;
  arUsergroupId: string | null;
  arUsergroupMembers: string[];
  connectors: Record<string, boolean>;
  version: number;
}

const EMPTY: StoredSettings = {
  overrides: {},
  arUsergroupId: null,
  arUsergroupMembers: [],
  connectors: {},
  version: 0,
};

function toStored(row: {
  overrides: Record<string, string>;
  ar_usergroup_id: string | null;
  ar_usergroup_members: string[];
  connectors: Record<string, boolean>;
  version: number;
}): StoredSettings {
  return {
    overrides: row.overrides,
    arUsergroupId: row.ar_usergroup_id,
    arUsergroupMembers: row.ar_usergroup_members,
    connectors: row.connectors,
    version: row.version,
  };
}

const COLUMNS = ['overrides', 'ar_usergroup_id', 'ar_usergroup_members', 'connectors', 'version'] as const;

/** The workspace's stored settings; nothing set yet reads as no overrides (version 0). */
export async function storedSettings(db: Queryable, teamId: string): Promise<StoredSettings> {
  const row = await db
    .selectFrom('workspace_settings')
    .select(COLUMNS)
    .where('team_id', '=', teamId)
    .executeTakeFirst();
  return row ? toStored(row) : { ...EMPTY };
}

/** Reads the workspace's settings for a change, locking its row (created if missing) until commit. */
export async function lockSettings(trx: Trx, teamId: string): Promise<StoredSettings> {
  await ensureWorkspace(trx, teamId);
  const row = await trx
    .selectFrom('workspace_settings')
    .select(COLUMNS)
    .where('team_id', '=', teamId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return toStored(row);
}

/** Writes the workspace's settings (after lockSettings in the same transaction); bumps the version. */
export async function writeSettings(
  trx: Trx,
  teamId: string,
  next: Omit<StoredSettings, 'version'>,
  byUserId: string,
): Promise<number> {
  const row = await trx
    .updateTable('workspace_settings')
    .set((eb) => ({
      overrides: JSON.stringify(next.overrides),
      ar_usergroup_id: next.arUsergroupId,
      ar_usergroup_members: JSON.stringify(next.arUsergroupMembers),
      connectors: JSON.stringify(next.connectors),
      version: eb('version', '+', 1),
      updated_by: byUserId,
      updated_at: new Date(),
    }))
    .where('team_id', '=', teamId)
    .returning('version')
    .executeTakeFirstOrThrow();
  return row.version;
}

/** Refreshes the AR user group's members (read from Slack); false when the group changed meanwhile. */
export async function setUsergroupMembers(
  db: Queryable,
  teamId: string,
  groupId: string,
  members: readonly string[],
): Promise<boolean> {
  const result = await db
    .updateTable('workspace_settings')
    .set((eb) => ({ ar_usergroup_members: JSON.stringify(members), version: eb('version', '+', 1) }))
    .where('team_id', '=', teamId)
    .where('ar_usergroup_id', '=', groupId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Workspaces whose AR staff include a user group, with that group. */
export async function usergroupWorkspaces(db: Queryable): Promise<{ teamId: string; groupId: string }[]> {
  const rows = await db
    .selectFrom('workspace_settings')
    .select(['team_id', 'ar_usergroup_id'])
    .where('ar_usergroup_id', 'is not', null)
    .orderBy('team_id')
    .execute();
  return rows.map((r) => ({ teamId: r.team_id, groupId: r.ar_usergroup_id as string }));
}

/** Whether this workspace has a settings row (it was configured, or installed). */
export async function workspaceKnown(db: Queryable, teamId: string): Promise<boolean> {
  const row = await db
    .selectFrom('workspace_settings')
    .select('team_id')
    .where('team_id', '=', teamId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Makes the workspace known (a settings row with no overrides), when it is not yet. */
export async function ensureWorkspace(db: Queryable, teamId: string): Promise<void> {
  await db
    .insertInto('workspace_settings')
    .values({ team_id: teamId })
    .onConflict((oc) => oc.column('team_id').doNothing())
    .execute();
}

export interface SettingChangeRow {
  setting: string;
  oldValue: string;
  newValue: string;
  changedBy: string;
  changedAt: Date;
}

/** Appends changes to the workspace's change log. */
export async function logSettingChanges(
  db: Queryable,
  teamId: string,
  byUserId: string,
  changes: readonly { key: string; from: string; to: string }[],
): Promise<void> {
  if (changes.length === 0) return;
  await db
    .insertInto('setting_changes')
    .values(
      changes.map((c) => ({
        team_id: teamId,
        setting: c.key,
        old_value: c.from,
        new_value: c.to,
        changed_by: byUserId,
      })),
    )
    .execute();
}

/** The workspace's latest changes, newest first. */
export async function recentSettingChanges(
  db: Queryable,
  teamId: string,
  limit: number,
): Promise<SettingChangeRow[]> {
  const rows = await db
    .selectFrom('setting_changes')
    .select(['setting', 'old_value', 'new_value', 'changed_by', 'changed_at'])
    .where('team_id', '=', teamId)
    .orderBy('changed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    setting: r.setting,
    oldValue: r.old_value,
    newValue: r.new_value,
    changedBy: r.changed_by,
    changedAt: r.changed_at,
  }));
}

/** A credential as stored: a bearer token's hash, or a sealed secret. */
export type StoredCredential = { tokenHash: string } | { sealed: string };

/** Sets (or replaces) one credential. */
export async function putCredential(
  db: Queryable,
  teamId: string,
  kind: string,
  value: StoredCredential,
  byUserId: string,
): Promise<void> {
  const columns =
    'tokenHash' in value
      ? { token_hash: value.tokenHash, sealed_value: null }
      : { token_hash: null, sealed_value: value.sealed };
  await db
    .insertInto('workspace_credentials')
    .values({ team_id: teamId, kind, ...columns, created_by: byUserId })
    .onConflict((oc) =>
      oc
        .columns(['team_id', 'kind'])
        .doUpdateSet({ ...columns, created_by: byUserId, created_at: new Date() }),
    )
    .execute();
}

/** Removes one credential; true when there was one. */
export async function dropCredential(db: Queryable, teamId: string, kind: string): Promise<boolean> {
  const result = await db
    .deleteFrom('workspace_credentials')
    .where('team_id', '=', teamId)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The workspace's credentials by kind (hashes and sealed text, never plain secrets). */
export async function credentialsOf(
  db: Queryable,
  teamId: string,
): Promise<Map<string, { value: string; createdBy: string; createdAt: Date }>> {
  const rows = await db
    .selectFrom('workspace_credentials')
    .select(['kind', 'token_hash', 'sealed_value', 'created_by', 'created_at'])
    .where('team_id', '=', teamId)
    .execute();
  return new Map(
    rows.map((r) => [
      r.kind,
      { value: r.token_hash ?? r.sealed_value ?? '', createdBy: r.created_by, createdAt: r.created_at },
    ]),
  );
}

/** The workspace whose invoices-API token has this hash, if any. */
export async function teamOfApiToken(db: Queryable, tokenHash: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('workspace_credentials')
    .select('team_id')
    .where('kind', '=', 'api_token')
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row?.team_id;
}

/** The workspaces that have a settings row, in id order. */
export async function configuredWorkspaces(db: Queryable): Promise<string[]> {
  const rows = await db.selectFrom('workspace_settings').select('team_id').orderBy('team_id').execute();
  return rows.map((r) => r.team_id);
}
