import type { Db, InstallationRow, Queryable } from './schema.ts';

/** What an install (or a reinstall, or a token refresh) records; tokens arrive already sealed. */
export interface InstallationRecord {
  teamId: string;
  enterpriseId: string | null;
  teamName: string | null;
  teamUrl: string | null;
  appId: string | null;
  sealedBotToken: string;
  sealedRefreshToken: string | null;
  botTokenExpiresAt: Date | null;
  botUserId: string;
  botId: string;
  scopes: readonly string[];
  installerUserId: string | null;
}

/**
 * Records an installation: a first install, a reinstall (which clears the uninstall, so the
 * workspace's waiting messages go out again) or a refreshed token. A refresh carries no installer
 * or team URL: the ones recorded stay.
 */
export async function saveInstallation(db: Queryable, r: InstallationRecord): Promise<void> {
  const values = {
    enterprise_id: r.enterpriseId,
    team_name: r.teamName,
    app_id: r.appId,
    bot_token: r.sealedBotToken,
    bot_refresh_token: r.sealedRefreshToken,
    bot_token_expires_at: r.botTokenExpiresAt,
    bot_user_id: r.botUserId,
    bot_id: r.botId,
    scopes: r.scopes.join(','),
    uninstalled_at: null,
    uninstall_reason: null,
  };
  await db
    .insertInto('installations')
    .values({
      team_id: r.teamId,
      ...values,
      team_url: r.teamUrl,
      installer_user_id: r.installerUserId,
    })
    .onConflict((oc) =>
      oc.column('team_id').doUpdateSet((eb) => ({
        ...values,
        team_url: eb.fn.coalesce(eb.val(r.teamUrl), eb.ref('installations.team_url')),
        installer_user_id: eb.fn.coalesce(
          eb.val(r.installerUserId),
          eb.ref('installations.installer_user_id'),
        ),
      })),
    )
    .execute();
}

/** The workspace's installation, uninstalled ones included (their tokens are null). */
export async function findInstallation(db: Queryable, teamId: string): Promise<InstallationRow | undefined> {
  return db.selectFrom('installations').selectAll().where('team_id', '=', teamId).executeTakeFirst();
}

/**
 * The workspace uninstalled the app or revoked its tokens: the tokens are deleted and nothing is
 * sent there until a reinstall. True when it was installed until now (a repeated event changes nothing).
 */
export async function markUninstalled(db: Queryable, teamId: string, reason: string): Promise<boolean> {
  const row = await db
    .updateTable('installations')
    .set({
      bot_token: null,
      bot_refresh_token: null,
      bot_token_expires_at: null,
      uninstalled_at: new Date(),
      uninstall_reason: reason,
    })
    .where('team_id', '=', teamId)
    .where('uninstalled_at', 'is', null)
    .returning('team_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Workspaces the app is installed in now, in a stable order. */
export async function installedTeamIds(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('installations')
    .select('team_id')
    .where('uninstalled_at', 'is', null)
    .orderBy('team_id')
    .execute();
  return rows.map((r) => r.team_id);
}
