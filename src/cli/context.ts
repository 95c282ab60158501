import type { WebClient } from '@slack/web-api';
import { type Config, ConfigError, loadConfig } from '../config.ts';
import { type DatabaseHandle, DataDirLockedError, openDatabase } from '../db/connect.ts';
import { migrateOrThrow } from '../db/migrate.ts';
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
