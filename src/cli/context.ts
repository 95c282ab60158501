import type { WebClient } from '@slack/web-api';
import { systemClock } from '../clock.ts';
import { type Config, ConfigError, isMultiWorkspace, loadConfig } from '../config.ts';
import { type DatabaseHandle, DataDirLockedError, openDatabase } from '../db/connect.ts';
import { migrateOrThrow } from '../db/migrate.ts';
import { nextPendingAt } from '../db/notifications.ts';
import { createDeliveryWorker } from '../flows/delivery.ts';
import { createLogger, type Logger } from '../log.ts';
import { fetchIdentity, SlackAuthError } from '../slack/identity.ts';
import { createWorkspaces, type Workspaces } from '../slack/workspaces.ts';

export interface CliContext {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  /** The workspaces served (single-workspace mode asks auth.test who SLACK_BOT_TOKEN is). */
  workspaces(): Promise<Workspaces>;
  /**
   * The one workspace a tool works on, and its client: SLACK_BOT_TOKEN's in single-workspace mode,
   * the one `--team` names (installed) in multi-workspace mode. Exits 2 when it cannot be known.
   */
  workspace(team: string | undefined): Promise<{ teamId: string; slack: WebClient }>;
  close(): Promise<void>;
}

/** The `--team` option of the tools that work on one workspace, and its line in their usage. */
export const TEAM_OPTION = { team: { type: 'string' } } as const;
export const TEAM_USAGE =
  '  --team      the workspace (Slack team id, T…); required in multi-workspace mode\n';

function fail(code: number, message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** What a command-line tool needs: the same settings and database as the bot. Exits 1 on a clear problem. */
export async function openCliContext(): Promise<CliContext> {
  try {
    const config = loadConfig();
    const logger = createLogger(config.LOG_LEVEL);
    const database = await openDatabase(config);
    await migrateOrThrow(database.db);
    let registry: Promise<Workspaces> | undefined;
    const workspaces = () => {
      registry ??= (async () =>
        createWorkspaces(
          config,
          database.db,
          isMultiWorkspace(config) ? null : await fetchIdentity(config, logger),
          logger,
        ))();
      return registry.catch((error: unknown) => {
        if (error instanceof SlackAuthError) fail(1, `Slack: ${error.message}`);
        throw error;
      });
    };
    return {
      config,
      database,
      logger,
      workspaces,
      async workspace(team) {
        const all = await workspaces();
        const teamId = all.defaultTeamId ?? team;
        if (!teamId) {
          const installed = await all.teamIds();
          fail(
            2,
            `Name the workspace with --team (installed: ${installed.length > 0 ? installed.join(', ') : 'none yet'}).`,
          );
        }
        if (team !== undefined && team !== teamId)
          fail(
            2,
            `--team ${team} is not this app's workspace (${teamId}): SLACK_BOT_TOKEN belongs to ${teamId}.`,
          );
        if (!(await all.isInstalled(teamId))) fail(1, `AR Bridge is not installed in workspace ${teamId}.`);
        return { teamId, slack: await all.slackFor(teamId) };
      },
      close: () => database.close(),
    };
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DataDirLockedError) fail(1, error.message);
    throw error;
  }
}

/**
 * Delivers what is due now, and what was held back briefly (per-channel pacing, Retry-After) as
 * long as it comes due within a minute; anything later is left to the running bot. Returns how
 * many deliveries were attempted; a dead token is printed and sets exit code 1.
 */
export async function deliverQueued(ctx: CliContext): Promise<number> {
  const outbox = createDeliveryWorker(
    { db: ctx.database.db, config: ctx.config, clock: systemClock, logger: ctx.logger },
    await ctx.workspaces(),
  );
  const deadline = Date.now() + 60_000;
  let delivered = 0;
  for (;;) {
    const claimed = await outbox.runOnce();
    delivered += claimed;
    const problem = outbox.slackProblem();
    if (problem) {
      process.stderr.write(`${problem}\n`);
      process.exitCode = 1;
      break;
    }
    if (claimed > 0) continue;
    const at = (await nextPendingAt(ctx.database.db))?.getTime() ?? null;
    if (at === null || at > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.max(50, at - Date.now())));
  }
  return delivered;
}
