import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertAccount } from '../../src/db/accounts.ts';
import { type DatabaseHandle, openPglite } from '../../src/db/connect.ts';
import { migrateOrThrow } from '../../src/db/migrate.ts';
import { openTestDatabase, usingPostgres } from '../support/db.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { runCli } from '../support/process.ts';

let fake: FakeSlack;
let dir: string;
let env: Record<string, string>;
let postgres: (DatabaseHandle & { url?: string }) | undefined;

/** The CLI's database, opened from this process while the CLI is not running. */
async function withDb<T>(work: (db: DatabaseHandle['db']) => Promise<T>): Promise<T> {
  if (postgres) return work(postgres.db);
  const handle = await openPglite({ dataDir: env.DATA_DIR as string });
  try {
    await migrateOrThrow(handle.db);
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

beforeAll(async () => {
  fake = await startFakeSlack();
  fake.addUser({ id: 'U0SWEEPREP', tz: 'UTC' });
  dir = mkdtempSync(join(tmpdir(), 'arbridge-sweep-'));
  if (usingPostgres) postgres = await openTestDatabase();
  env = {
    SLACK_BOT_TOKEN: 'xoxb-cli',
    SLACK_SIGNING_SECRET: 'secret',
    SLACK_API_URL: fake.url,
    FINANCE_CHANNEL_ID: 'C0FINANCE',
    DATA_DIR: join(dir, 'data'),
    // Every hour of every day is working time, so the test does not depend on when it runs.
    WORK_HOURS: '00:00-24:00',
    WORK_DAYS: 'Sun-Sat',
    LOG_LEVEL: 'warn',
    ...(postgres?.url ? { DATABASE_URL: postgres.url } : {}),
  };
  if (postgres) await migrateOrThrow(postgres.db);
});
afterAll(async () => {
  await postgres?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run sweep', () => {
  it('runs every sweep once and delivers what it queued', async () => {
    await withDb(async (db) => {
      const account = await upsertAccount(db, 'T0TEAM', {
        crmId: 'SW-A',
        name: 'Sweep Customer',
        ownerUserId: 'U0SWEEPREP',
      });
      await db
        .insertInto('deals')
        .values({
          team_id: 'T0TEAM',
          crm_id: 'SW-D',
          account_id: account.id,
          name: 'Sweep deal',
          amount_cents: 100,
          currency: 'USD',
          closed_at: new Date(Date.now() - 48 * 3_600_000),
          owner_user_id: 'U0SWEEPREP',
          prefill: '{}',
          source: 'webhook',
        })
        .execute();
      await db
        .insertInto('invoices')
        .values({
          team_id: 'T0TEAM',
          number: 'SW-INV-1',
          account_id: account.id,
          amount_cents: 5_000,
          balance_cents: 5_000,
          currency: 'USD',
          issued_on: '2026-01-01',
          due_on: new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10),
        })
        .execute();
    });
    const { code, output } = await runCli('src/cli/sweep.ts', [], env);
    expect(code, output).toBe(0);
    expect(output).toMatch(/"reminded":1/);
    expect(output).toMatch(/"pinged":1/);
    const reminder = fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'U0SWEEPREP');
    expect(reminder).toHaveLength(1);
    expect(
      fake.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args).includes('SW-INV-1')),
    ).toHaveLength(1);

    // Run again at once: nothing more.
    const again = await runCli('src/cli/sweep.ts', [], env);
    expect(again.output).toMatch(/"reminded":0/);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'U0SWEEPREP')).toHaveLength(1);
  });
});
