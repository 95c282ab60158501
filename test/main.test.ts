import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usingPostgres } from './support/db.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { startApp as start, waitForOutput } from './support/process.ts';

describe('npm start', () => {
  it('without Slack settings, names every missing variable and the manifest, and exits 1', async () => {
    const child = start({});
    expect(await child.exited).toBe(1);
    const out = child.output();
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'manifest.yml'])
      expect(out).toContain(name);
    // The finance channel may be chosen in App Home → Settings instead.
    expect(out).not.toContain('FINANCE_CHANNEL_ID');
  });

  it('lists invalid values with how to fix them', async () => {
    const child = start({
      SLACK_BOT_TOKEN: 'not-a-token',
      SLACK_SIGNING_SECRET: 'x',
      FINANCE_CHANNEL_ID: '#finance',
      NAG_MAX: 'three',
      WORK_HOURS: '18:00-09:00',
      BUSINESS_TIMEZONE: 'Mars/Olympus',
    });
    expect(await child.exited).toBe(1);
    const out = child.output();
    for (const name of [
      'SLACK_BOT_TOKEN',
      'FINANCE_CHANNEL_ID',
      'NAG_MAX',
      'WORK_HOURS',
      'BUSINESS_TIMEZONE',
    ])
      expect(out).toContain(name);
    expect(out).not.toContain('not-a-token');
  });

  const slackEnv = {
    SLACK_BOT_TOKEN: 'xoxb-main-test',
    SLACK_SIGNING_SECRET: 'secret',
    SLACK_API_URL: 'http://127.0.0.1:9/api/',
    FINANCE_CHANNEL_ID: 'C0FINANCE',
  };
  const startLine = async (databaseUrl: string, logLevel = 'info') => {
    const child = start({ ...slackEnv, DATABASE_URL: databaseUrl, LOG_LEVEL: logLevel });
    expect(await child.exited).toBe(1);
    process.stdout.write(`\n--- start-up, DATABASE_URL=${databaseUrl}\n${child.output()}`);
    return child.output();
  };

  it('names the host and the database in one line when PostgreSQL cannot be reached', async () => {
    const out = await startLine('postgres://postgres@127.0.0.1:1/ledger');
    expect(out.trim().split('\n')).toEqual([
      'AR Bridge cannot start: cannot reach PostgreSQL at 127.0.0.1:1 (database "ledger"): connection refused. Check that PostgreSQL is running and that DATABASE_URL names the right host and port.',
    ]);
    // With LOG_LEVEL=debug, the cause follows, with its stack.
    expect(await startLine('postgres://postgres@127.0.0.1:1/ledger', 'debug')).toMatch(
      /ECONNREFUSED[\s\S]*\n\s+at /,
    );
  });

  it.runIf(usingPostgres)('names the missing database and how to create it, in one line', async () => {
    const url = new URL(process.env.DATABASE_URL as string);
    url.pathname = '/arbridge_no_such_database';
    const out = await startLine(url.toString());
    expect(out.trim().split('\n')).toEqual([
      `AR Bridge cannot start: PostgreSQL at ${url.hostname}:${url.port || '5432'} has no database "arbridge_no_such_database": create it (createdb -h ${url.hostname} -p ${url.port || '5432'} arbridge_no_such_database) or correct the database name in DATABASE_URL.`,
    ]);
  });

  describe('on the embedded database', () => {
    let fake: FakeSlack;
    let dataDir: string;
    beforeAll(async () => {
      fake = await startFakeSlack();
      dataDir = mkdtempSync(join(tmpdir(), 'arbridge-main-'));
    });
    afterAll(async () => {
      await fake.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('runs on PGlite, and a second process on the same DATA_DIR refuses to start', async () => {
      const env = {
        SLACK_BOT_TOKEN: 'xoxb-main-test',
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: fake.url,
        FINANCE_CHANNEL_ID: 'C0FINANCE',
        DATA_DIR: dataDir,
        PORT: '0',
      };
      const first = start(env);
      try {
        const [, port] = await waitForOutput(first, /"port":(\d+).*AR Bridge is running/);
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(await ready.json()).toEqual({ ok: true, database: 'pglite' });
        expect(existsSync(join(dataDir, 'ar-bridge.lock'))).toBe(true);

        const second = start(env);
        expect(await second.exited).toBe(1);
        expect(second.output()).toMatch(/already in use by another AR Bridge process/);
      } finally {
        first.kill('SIGTERM');
      }
      expect(await first.exited).toBe(0);
      expect(existsSync(join(dataDir, 'ar-bridge.lock'))).toBe(false);
      // Two processes each opening PGlite: a loaded machine needs more than the default 30 s.
    }, 90_000);
  });
});
