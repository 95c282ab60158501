import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertAccount } from '../../src/db/accounts.ts';
import { setManager, upsertPerson } from '../../src/db/people.ts';
import { CLI_TEST_TIMEOUT_MS, type CliSetup, startCliSetup } from '../support/cli.ts';
import { pngSize } from '../support/png.ts';

const TEAM = 'T0TEAM';
const DAY = 86_400_000;
let cli: CliSetup;

beforeAll(async () => {
  cli = await startCliSetup('digest', [
    { id: 'U0CLIREP', tz: 'UTC' },
    { id: 'U0CLIBOSS', tz: 'Europe/London' },
  ]);
  await cli.withDb(async (db) => {
    for (const userId of ['U0CLIREP', 'U0CLIBOSS']) await upsertPerson(db, TEAM, { userId, tz: 'UTC' });
    await setManager(db, TEAM, 'U0CLIREP', 'U0CLIBOSS');
    const account = await upsertAccount(db, TEAM, {
      crmId: 'DG-A',
      name: 'Digest Customer',
      ownerUserId: 'U0CLIREP',
    });
    const day = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);
    await db
      .insertInto('invoices')
      .values([
        {
          team_id: TEAM,
          number: 'DG-1',
          account_id: account.id,
          amount_cents: 120_000,
          balance_cents: 120_000,
          currency: 'USD',
          issued_on: day(-50),
          due_on: day(-20),
        },
        {
          team_id: TEAM,
          number: 'DG-2',
          account_id: account.id,
          amount_cents: 80_000,
          balance_cents: 80_000,
          currency: 'USD',
          issued_on: day(-5),
          due_on: day(25),
        },
      ])
      .execute();
  });
});
afterAll(async () => cli?.close());

const run = (...args: string[]) => cli.run('src/cli/digest.ts', args);

describe('npm run digest', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('answers --help, and exits 2 with its usage on an unknown option or a missing directory', async () => {
    expect(await run('--help')).toMatchObject({
      code: 0,
      output: expect.stringMatching(/^usage: npm run digest/),
    });
    for (const args of [['--bogus'], ['--dry-run'], ['stray']]) {
      const { code, output } = await run(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(output).toContain('usage: npm run digest');
    }
  });

  it('--dry-run prints the figures and writes the charts, sending nothing; without it, sends the digest once', async () => {
    const dir = join(cli.dir, 'charts');
    const dry = await run('--dry-run', dir);
    expect(dry.code, dry.output).toBe(0);
    expect(dry.output).toContain('Weekly AR digest · Everyone');
    expect(dry.output).toContain('Weekly AR digest · Your team (1 person)');
    expect(dry.output).toContain('Overdue: $1,200.00');
    expect(dry.output).toMatch(/@U0CLIREP: \$1,200\.00 · 1 invoice · oldest 20 days late/);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(
      expect.arrayContaining(['finance-aging-usd.png', 'finance-dso.png', 'manager-U0CLIBOSS-aging-usd.png']),
    );
    for (const file of files)
      expect(pngSize(readFileSync(join(dir, file)))).toEqual({ width: 1600, height: 800 });
    expect(cli.fake.calls.filter((c) => !['auth.test', 'users.info'].includes(c.method))).toEqual([]);

    const sent = await run();
    expect(sent.code, sent.output).toBe(0);
    expect(sent.output).toContain('channel:C0FINANCE: queued');
    expect(sent.output).toContain('user:U0CLIBOSS: queued');
    const posts = cli.fake
      .callsTo('chat.postMessage')
      .filter((c) => String(c.args.text).startsWith('Weekly AR digest'));
    expect(posts.map((p) => p.args.channel).sort()).toEqual(['C0FINANCE', 'U0CLIBOSS']);
    for (const post of posts) {
      const ids = [...JSON.stringify(post.args.blocks).matchAll(/"slack_file":\{"id":"([^"]+)"/g)].map(
        (m) => m[1],
      );
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(cli.fake.files.get(id as string)?.completed).toBe(true);
    }
  });
});
