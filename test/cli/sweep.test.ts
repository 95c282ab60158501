import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertAccount } from '../../src/db/accounts.ts';
import { CLI_TEST_TIMEOUT_MS, type CliSetup, startCliSetup } from '../support/cli.ts';

let cli: CliSetup;

beforeAll(async () => {
  cli = await startCliSetup('sweep', [{ id: 'U0SWEEPREP', tz: 'UTC' }], {
    // Every hour of every day is working time, so the test does not depend on when it runs.
    WORK_HOURS: '00:00-24:00',
    WORK_DAYS: 'Sun-Sat',
  });
});
afterAll(async () => cli?.close());

describe('npm run sweep', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('runs every sweep once and delivers what it queued', async () => {
    await cli.withDb(async (db) => {
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
    const { code, output } = await cli.run('src/cli/sweep.ts', []);
    expect(code, output).toBe(0);
    expect(output).toMatch(/"reminded":1/);
    expect(output).toMatch(/"pinged":1/);
    const reminder = cli.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'U0SWEEPREP');
    expect(reminder).toHaveLength(1);
    expect(
      cli.fake.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args).includes('SW-INV-1')),
    ).toHaveLength(1);

    // Run again at once: nothing more.
    const again = await cli.run('src/cli/sweep.ts', []);
    expect(again.output).toMatch(/"reminded":0/);
    expect(cli.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'U0SWEEPREP')).toHaveLength(
      1,
    );
  });
});
