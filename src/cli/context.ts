import type { WebClient } from '@slack/web-api';
import { systemClock } from '../clock.ts';
import { type Config, ConfigError, loadConfig } from '../config.ts';
import { type DatabaseHandle, DataDirLockedError, openDatabase } from '../db/connect.ts';
import { migrateOrThrow } from '../db/migrate.ts';
import { nextPendingAt } from '../db/notifications.ts';
import { createDeliveryWorker } from '../flows/delivery.ts';
import { createLogger, type Logger } from '../log.ts';
import { createSlackClient } from '../slack/client.ts';

export interface CliContext {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  slack: WebClient;
  close(): Promise<void>;
}

/** What a command-line tool needs: the same settings and database as the bot. Exits 1 on a clear problem. */
export async function openCliContext(): Promise<CliContext> {
  try {
    const config = loadConfig();
    const logger = createLogger(config.LOG_LEVEL);
    const database = await openDatabase(config);
    await migrateOrThrow(database.db);
    const slack = createSlackClient(config, 'interactive', logger);
    return { config, database, logger, slack, close: () => database.close() };
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DataDirLockedError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
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
    createSlackClient(ctx.config, 'delivery', ctx.logger),
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
