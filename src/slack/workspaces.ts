import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { type Config, isMultiWorkspace } from '../config.ts';
import {
  findInstallation,
  installedTeamIds,
  markUninstalled,
  saveInstallation,
} from '../db/installations.ts';
import type { Db, InstallationRow } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import { createKeyring, type Keyring } from '../secrets.ts';
import { type ClientMetrics, type ClientUse, createSlackClient } from './client.ts';
import type { SlackIdentity } from './identity.ts';

/** Who the bot is in one workspace. */
export type WorkspaceIdentity = SlackIdentity;

/** A call for a workspace the app is not installed in (never installed, uninstalled, tokens revoked). */
export class WorkspaceNotInstalled extends Error {
  readonly teamId: string;
  constructor(teamId: string) {
    super(`AR Bridge is not installed in workspace ${teamId}`);
    this.name = 'WorkspaceNotInstalled';
    this.teamId = teamId;
  }
}

/**
 * The workspaces this app serves, and the one way to reach each: every Slack call made outside a
 * listener (listeners get theirs from Bolt's `authorize`) takes its client from `slackFor(teamId)`,
 * so a workspace's token is only ever used for that workspace.
 * - Single-workspace mode: the one workspace SLACK_BOT_TOKEN belongs to (from auth.test).
 * - Multi-workspace mode: those installed through /slack/install and not uninstalled since.
 */
export interface Workspaces {
  readonly multi: boolean;
  /**
   * Where the webhook and the API write when a request names no workspace: the single
   * workspace, or null in multi-workspace mode (a request must then name its workspace).
   */
  readonly defaultTeamId: string | null;
  /** The workspaces to sweep and deliver for, now. */
  teamIds(): Promise<string[]>;
  /** Whether messages may be sent to this workspace now (installed, tokens not revoked). */
  isInstalled(teamId: string): Promise<boolean>;
  /** A Web API client with the workspace's own token; throws WorkspaceNotInstalled otherwise. */
  slackFor(teamId: string, use?: ClientUse): Promise<WebClient>;
  identityFor(teamId: string): Promise<WorkspaceIdentity>;
  /** The Slack user who installed the app there (multi-workspace mode), else null. */
  installerOf(teamId: string): Promise<string | null>;
}

type ClientConfig = Pick<Config, 'SLACK_API_URL'>;

/** Single-workspace mode: one token, one identity. */
export function singleWorkspace(
  config: ClientConfig & Pick<Config, 'SLACK_BOT_TOKEN'>,
  identity: SlackIdentity,
  logger: Logger,
  metrics?: ClientMetrics,
): Workspaces {
  const clients: Record<ClientUse, WebClient> = {
    interactive: createSlackClient(config, 'interactive', logger),
    delivery: createSlackClient(config, 'delivery', logger, metrics),
  };
  return {
    multi: false,
    defaultTeamId: identity.teamId,
    teamIds: async () => [identity.teamId],
    isInstalled: async (teamId) => teamId === identity.teamId,
    // Rows of any team id are served by the one token, as they always were in this mode.
    slackFor: async (_teamId, use = 'interactive') => clients[use],
    identityFor: async () => identity,
    installerOf: async () => null,
  };
}

/**
 * Multi-workspace mode: tokens are read from the installations table at each use (an uninstall
 * seen by another replica takes effect at once) and opened with ENCRYPTION_KEY; clients are
 * cached per token and use.
 */
export function installedWorkspaces(
  config: ClientConfig & Pick<Config, 'ENCRYPTION_KEY'>,
  db: Db,
  logger: Logger,
  metrics?: ClientMetrics,
): Workspaces {
  const keyring = keyringOf(config);
  const clients = new Map<string, WebClient>();
  const installed = async (teamId: string): Promise<InstallationRow & { bot_token: string }> => {
    const row = await findInstallation(db, teamId);
    if (!row?.bot_token) throw new WorkspaceNotInstalled(teamId);
    return row as InstallationRow & { bot_token: string };
  };
  return {
    multi: true,
    defaultTeamId: null,
    teamIds: () => installedTeamIds(db),
    isInstalled: async (teamId) => Boolean((await findInstallation(db, teamId))?.bot_token),
    async slackFor(teamId, use = 'interactive') {
      const row = await installed(teamId);
      const key = `${use}:${row.bot_token}`;
      let client = clients.get(key);
      if (!client) {
        // Tokens change on reinstall and reseal: old clients are let go now and then.
        if (clients.size > 1_000) clients.clear();
        const token = keyring.open(row.bot_token);
        client = createSlackClient(
          { ...config, SLACK_BOT_TOKEN: token },
          use,
          logger,
          use === 'delivery' ? metrics : undefined,
        );
        clients.set(key, client);
      }
      return client;
    },
    async identityFor(teamId) {
      const row = await installed(teamId);
      return { teamId, botUserId: row.bot_user_id, botId: row.bot_id, teamUrl: row.team_url };
    },
    installerOf: async (teamId) => (await findInstallation(db, teamId))?.installer_user_id ?? null,
  };
}

/** The registry for the mode the settings select: one workspace (its identity given), or installed ones. */
export function createWorkspaces(
  config: Config,
  db: Db,
  identity: SlackIdentity | null,
  logger: Logger,
  metrics?: ClientMetrics,
): Workspaces {
  if (isMultiWorkspace(config)) return installedWorkspaces(config, db, logger, metrics);
  if (!identity) throw new Error('single-workspace mode needs the identity of SLACK_BOT_TOKEN (auth.test)');
  return singleWorkspace(config, identity, logger, metrics);
}

/** The workspace of single-workspace mode (the sandbox, tools and tests that run in it). */
export function singleTeamId(workspaces: Pick<Workspaces, 'defaultTeamId'>): string {
  if (workspaces.defaultTeamId === null)
    throw new Error('this needs single-workspace mode (SLACK_BOT_TOKEN)');
  return workspaces.defaultTeamId;
}

export function keyringOf(config: Pick<Config, 'ENCRYPTION_KEY'>): Keyring {
  if (!config.ENCRYPTION_KEY) throw new Error('ENCRYPTION_KEY is required in multi-workspace mode');
  return createKeyring(config.ENCRYPTION_KEY);
}

/**
 * Bolt's InstallationStore over the installations table: /slack/oauth_redirect stores, `authorize`
 * fetches (for every request of a workspace), and an uninstall deletes the tokens. Organisation-wide
 * (Enterprise Grid) installs are refused: every row belongs to one workspace.
 */
export function installationStore(
  config: ClientConfig & Pick<Config, 'ENCRYPTION_KEY'>,
  db: Db,
  logger: Logger,
  onInstalled: (teamId: string) => void,
): InstallationStore {
  const keyring = keyringOf(config);
  return {
    async storeInstallation(installation) {
      const teamId = installation.team?.id;
      if (installation.isEnterpriseInstall || !teamId)
        throw new Error('AR Bridge is installed into one workspace at a time, not organisation-wide');
      const bot = installation.bot;
      if (!bot) throw new Error('the installation carries no bot token (the bot scopes are missing)');
      const before = await findInstallation(db, teamId);
      await saveInstallation(db, {
        teamId,
        enterpriseId: installation.enterprise?.id ?? null,
        teamName: installation.team?.name ?? null,
        teamUrl: before?.team_url ?? (await teamUrlOf(config, bot.token, logger)),
        appId: installation.appId ?? null,
        sealedBotToken: keyring.seal(bot.token),
        sealedRefreshToken: bot.refreshToken ? keyring.seal(bot.refreshToken) : null,
        botTokenExpiresAt: bot.expiresAt ? new Date(bot.expiresAt * 1000) : null,
        botUserId: bot.userId,
        botId: bot.id,
        scopes: bot.scopes,
        installerUserId: installation.user.id || null,
      });
      logger.info(
        { team: teamId, reinstall: before !== undefined, scopes: bot.scopes.length },
        before?.bot_token ? 'installation updated' : 'AR Bridge was installed in a workspace',
      );
      onInstalled(teamId);
    },
    async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v2', false>> {
      const teamId = query.teamId;
      const row = teamId ? await findInstallation(db, teamId) : undefined;
      if (!teamId || !row?.bot_token) throw new WorkspaceNotInstalled(teamId ?? '(none)');
      return {
        team: { id: row.team_id, ...(row.team_name ? { name: row.team_name } : {}) },
        enterprise: row.enterprise_id ? { id: row.enterprise_id } : undefined,
        user: { id: row.installer_user_id ?? '', token: undefined, scopes: undefined },
        bot: {
          token: keyring.open(row.bot_token),
          ...(row.bot_refresh_token ? { refreshToken: keyring.open(row.bot_refresh_token) } : {}),
          ...(row.bot_token_expires_at
            ? { expiresAt: Math.floor(row.bot_token_expires_at.getTime() / 1000) }
            : {}),
          scopes: row.scopes.split(',').filter(Boolean),
          id: row.bot_id,
          userId: row.bot_user_id,
        },
        ...(row.app_id ? { appId: row.app_id } : {}),
        tokenType: 'bot',
        isEnterpriseInstall: false,
        authVersion: 'v2',
      };
    },
    async deleteInstallation(query) {
      if (query.teamId) await markUninstalled(db, query.teamId, 'deleted');
    },
  };
}

/** https://<workspace>.slack.com/ from auth.test with the new token, for links to messages. */
async function teamUrlOf(config: ClientConfig, token: string, logger: Logger): Promise<string | null> {
  try {
    return (
      (await createSlackClient({ ...config, SLACK_BOT_TOKEN: token }, 'interactive', logger).auth.test())
        .url ?? null
    );
  } catch (error) {
    logger.warn({ err: error }, 'could not read the workspace URL: links to threads are left out');
    return null;
  }
}
