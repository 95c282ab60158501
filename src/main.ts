import type { AddressInfo } from 'node:net';
import { parseCommandLine } from './cli/args.ts';
import { ConfigError, isMultiWorkspace, loadConfig } from './config.ts';
import { checkDatabase, DatabaseStartError, DataDirLockedError, openDatabase } from './db/connect.ts';
import { createLogger, type Logger } from './log.ts';
import { startServer } from './server.ts';
import { fetchIdentity, SlackAuthError } from './slack/identity.ts';

const USAGE = `usage: npm start
  Starts AR Bridge: migrates the database, then serves /slack/events, the webhooks, the API,
  /healthz, /readyz and /metrics on HOST:PORT, delivers the outbox and runs the sweeps.
  Settings come from the environment or a .env file (README.md → Configuration).
  SIGTERM or SIGINT stops it: requests stop, the delivery in progress finishes, the database closes.
`;

async function main(): Promise<void> {
  parseCommandLine(USAGE, {});
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase(config, poolWarning(logger));
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  try {
    await checkDatabase(database, config.DATABASE_URL);
    const identity = isMultiWorkspace(config) ? null : await fetchIdentity(config, logger);
    const running = await startServer({ config, database, logger, identity });
    logger.info(
      {
        port: (running.server?.address() as AddressInfo | null)?.port ?? config.PORT,
        host: config.HOST ?? 'all interfaces',
        socketMode: Boolean(config.SLACK_APP_TOKEN),
        database: database.kind,
        team: identity?.teamId ?? 'every installed workspace',
        webhooks: Boolean(config.WEBHOOK_SECRET),
        api: Boolean(config.API_TOKEN),
      },
      'AR Bridge is running',
    );
    if (!config.WEBHOOK_SECRET)
      logger.warn('WEBHOOK_SECRET is not set: POST /webhooks/deal-closed answers 503');
    if (config.AR_USER_IDS.length === 0)
      logger.warn(
        'AR_USER_IDS is empty: AR staff are whoever App Home → Settings names (until then /ar-update refuses everyone)',
      );

    let signals = 0;
    const shutdown = (signal: string) => {
      signals += 1;
      if (signals > 1) process.exit(1);
      logger.info({ signal }, 'shutting down: finishing deliveries in progress');
      running
        .stop()
        .then(() => database.close())
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        });
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
  } catch (error) {
    await database.close().catch(() => {});
    if (error instanceof SlackAuthError || error instanceof DatabaseStartError) {
      process.stderr.write(`AR Bridge cannot start: ${error.message}\n`);
      if (config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace')
        process.stderr.write(`${describe((error as Error).cause ?? error)}\n`);
      process.exit(1);
    }
    throw error;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * Idle pooled connections that fail (a database restart, a network cut) are replaced by the pool;
 * an outage fails them all at once, so one warning a minute says so and the rest go to debug.
 */
function poolWarning(logger: Logger): (error: Error) => void {
  let lastWarnedAt = 0;
  return (error) => {
    const quiet = Date.now() - lastWarnedAt < 60_000;
    if (!quiet) lastWarnedAt = Date.now();
    logger[quiet ? 'debug' : 'warn'](
      { err: error },
      'a pooled database connection failed; it will be replaced',
    );
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`AR Bridge failed to start: ${describe(error)}\n`);
  process.exit(1);
});
