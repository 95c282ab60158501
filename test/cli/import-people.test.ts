import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/connect.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { runCli } from '../support/process.ts';

let fake: FakeSlack;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeSlack();
  fake.addUser({ id: 'U0DANA', email: 'dana@example.com' });
  fake.addUser({ id: 'U0BOSS', email: 'boss@example.com' });
  dir = mkdtempSync(join(tmpdir(), 'arbridge-people-'));
  env = {
    SLACK_BOT_TOKEN: 'xoxb-cli',
    SLACK_SIGNING_SECRET: 'secret',
    SLACK_API_URL: fake.url,
    FINANCE_CHANNEL_ID: 'C0FINANCE',
    DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'warn',
  };
});
afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function people() {
  const db = await openPglite({ dataDir: env.DATA_DIR as string });
  try {
    return await db.db
      .selectFrom('people')
      .select(['user_id', 'email', 'role', 'manager_user_id'])
      .orderBy('user_id')
      .execute();
  } finally {
    await db.close();
  }
}

describe('npm run import:people', () => {
  it('rejects a file with a bad row whole, naming the row', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'user,manager,role\nU0REP1,U0MGR1,rep\nnot-a-user,U0MGR1,rep\nU0REP2,,boss\n');
    const { code, output } = await runCli('src/cli/import-people.ts', [file], env);
    expect(code).toBe(1);
    expect(output).toMatch(/row 3, user: must be a Slack user id/);
    expect(output).toMatch(/row 4, role/);
  });

  it('records managers and roles, by Slack id or email', async () => {
    const file = join(dir, 'people.csv');
    writeFileSync(
      file,
      'User,Manager,Role\nU0REP1,U0MGR1,rep\ndana@example.com,boss@example.com,\nU0MGR1,,manager\n',
    );
    const dry = await runCli('src/cli/import-people.ts', [file, '--dry-run'], env);
    expect(dry.output).toContain('3 people are valid');
    expect(await people()).toEqual([]);

    const { code, output } = await runCli('src/cli/import-people.ts', [file], env);
    expect(output).toContain('imported 3 people');
    expect(code).toBe(0);
    expect(await people()).toEqual([
      { user_id: 'U0DANA', email: 'dana@example.com', role: 'rep', manager_user_id: 'U0BOSS' },
      { user_id: 'U0MGR1', email: null, role: 'manager', manager_user_id: null },
      { user_id: 'U0REP1', email: null, role: 'rep', manager_user_id: 'U0MGR1' },
    ]);
  });
});
