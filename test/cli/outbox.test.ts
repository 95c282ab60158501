import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNotificationByKey, insertNotifications } from '../../src/db/notifications.ts';
import { CLI_TEST_TIMEOUT_MS, type CliSetup, startCliSetup } from '../support/cli.ts';
import { usingPostgres } from '../support/db.ts';

const TEAM = 'T0TEAM';
let cli: CliSetup;
let ids: Record<string, number>;

beforeAll(async () => {
  cli = await startCliSetup('outbox');
  ids = await cli.withDb(async (db) => {
    const row = (
      dedupe_key: string,
      status: 'pending' | 'failed' | 'sent',
      last_error: string | null = null,
    ) => ({
      team_id: TEAM,
      dedupe_key,
      target: '{"kind":"channel","channel":"C0FINANCE"}',
      message: '{"text":"hello"}',
      status,
      last_error,
      attempts: status === 'pending' ? 0 : 12,
    });
    await insertNotifications(db, [
      row('deal:1:dm', 'sent'),
      row('pastdue:INV-1:15', 'failed', 'not_in_channel'),
      row('pastdue:INV-2:15', 'failed', 'is_archived'),
      row('home:U1', 'pending'),
    ]);
    const all = await db.selectFrom('notifications').select(['id', 'dedupe_key']).execute();
    return Object.fromEntries(all.map((r) => [r.dedupe_key, r.id]));
  });
});
afterAll(async () => cli?.close());

const run = (...args: string[]) => cli.run('src/cli/outbox.ts', args);

describe('npm run outbox', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('answers --help, and exits 2 with its usage on an unknown option or command', async () => {
    expect(await run('--help')).toMatchObject({
      code: 0,
      output: expect.stringMatching(/^usage: npm run outbox/),
    });
    for (const args of [['stats', '--bogus'], ['frobnicate'], ['retry'], ['retry', 'x']]) {
      const { code, output } = await run(...args);
      expect(code).toBe(2);
      expect(output).toContain('usage: npm run outbox');
    }
  });

  it('shows stats and the failed rows, retries and cancels them', async () => {
    const stats = await run('stats');
    expect(stats.code).toBe(0);
    expect(stats.output).toMatch(/failed\s+2/);
    expect(stats.output).toMatch(/sent\s+1/);

    const failed = await run('list', '--failed');
    expect(failed.code).toBe(0);
    expect(failed.output).toContain('pastdue:INV-1:15');
    expect(failed.output).toContain('not_in_channel');
    expect(failed.output).not.toContain('deal:1:dm');

    const one = String(ids['pastdue:INV-1:15']);
    const two = String(ids['pastdue:INV-2:15']);
    const retried = await run('retry', one, String(ids['deal:1:dm']));
    expect(retried.code).toBe(1);
    expect(retried.output).toContain(`retried: ${one}`);
    expect(retried.output).toMatch(/not retried .*: \d+/);
    const cancelled = await run('cancel', two);
    expect(cancelled).toMatchObject({ code: 0, output: expect.stringContaining(`cancelled: ${two}`) });

    await cli.withDb(async (db) => {
      expect(await findNotificationByKey(db, TEAM, 'pastdue:INV-1:15')).toMatchObject({
        status: 'pending',
        attempts: 0,
      });
      expect(await findNotificationByKey(db, TEAM, 'pastdue:INV-2:15')).toMatchObject({
        status: 'cancelled',
      });
      expect(await findNotificationByKey(db, TEAM, 'deal:1:dm')).toMatchObject({ status: 'sent' });
    });
  });

  it.runIf(!usingPostgres)(
    'refuses on the embedded database while the bot holds the data directory',
    async () => {
      writeFileSync(
        join(cli.env.DATA_DIR as string, 'ar-bridge.lock'),
        JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-12-01T10:00:00.000Z' }),
      );
      const { code, output } = await run('stats');
      expect(code).toBe(1);
      expect(output).toContain(`already in use by another AR Bridge process (pid ${process.ppid}`);
    },
  );
});
