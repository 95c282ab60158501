import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseHandle, openPglite } from '../../src/db/connect.ts';
import { migrateOrThrow } from '../../src/db/migrate.ts';
import { openTestDatabase, usingPostgres } from './db.ts';
import { type FakeSlack, type FakeSlackUser, startFakeSlack } from './fake-slack.ts';
import { runCli } from './process.ts';

/**
 * A CLI test runs the tools as processes of their own, each starting Node and opening the
 * database (the embedded one takes seconds): on a busy machine that outlasts the default timeout.
 */
export const CLI_TEST_TIMEOUT_MS = 90_000;

export interface CliSetup {
  fake: FakeSlack;
  /** A temporary directory of the test file's own (the embedded database lives under it). */
  dir: string;
  /** The environment the command-line tools run with. */
  env: Record<string, string>;
  /** Runs one tool (`src/cli/…`) to completion. */
  run(script: string, args: string[]): Promise<{ code: number | null; output: string }>;
  /**
   * The tools' database, opened from the test while no tool runs: a PostgreSQL database of this
   * file's own on PostgreSQL runs, else the embedded one under `dir`.
   */
  withDb<T>(work: (db: DatabaseHandle['db']) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** What every command-line test needs: a fake Slack, a database and the environment pointing at both. */
export async function startCliSetup(
  name: string,
  users: FakeSlackUser[] = [],
  env: Record<string, string> = {},
): Promise<CliSetup> {
  const postgres = usingPostgres ? await openTestDatabase() : undefined;
  if (postgres) await migrateOrThrow(postgres.db);
  const fake = await startFakeSlack();
  for (const user of users) fake.addUser(user);
  const dir = mkdtempSync(join(tmpdir(), `arbridge-${name}-`));
  const cliEnv: Record<string, string> = {
    SLACK_BOT_TOKEN: 'xoxb-cli',
    SLACK_SIGNING_SECRET: 'secret',
    SLACK_API_URL: fake.url,
    FINANCE_CHANNEL_ID: 'C0FINANCE',
    DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'warn',
    // The weekly digest only where a test asks for it.
    DIGEST_CRON: 'off',
    ...(postgres?.url ? { DATABASE_URL: postgres.url } : {}),
    ...env,
  };
  return {
    fake,
    dir,
    env: cliEnv,
    run: (script, args) => runCli(script, args, cliEnv),
    async withDb(work) {
      if (postgres) return work(postgres.db);
      const handle = await openPglite({ dataDir: cliEnv.DATA_DIR as string });
      try {
        await migrateOrThrow(handle.db);
        return await work(handle.db);
      } finally {
        await handle.close();
      }
    },
    async close() {
      await postgres?.close();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
