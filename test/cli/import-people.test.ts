import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_TEST_TIMEOUT_MS, type CliSetup, startCliSetup } from '../support/cli.ts';

let cli: CliSetup;

beforeAll(async () => {
  cli = await startCliSetup('people', [
    { id: 'U0DANA', email: 'dana@example.com' },
    { id: 'U0BOSS', email: 'boss@example.com' },
  ]);
});
afterAll(async () => cli?.close());

async function people() {
  return cli.withDb((db) =>
    db
      .selectFrom('people')
      .select(['user_id', 'email', 'role', 'manager_user_id'])
      .orderBy('user_id')
      .execute(),
  );
}

describe('npm run import:people', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('rejects a file with a bad row whole, naming the row', async () => {
    const file = join(cli.dir, 'bad.csv');
    writeFileSync(file, 'user,manager,role\nU0REP1,U0MGR1,rep\nnot-a-user,U0MGR1,rep\nU0REP2,,boss\n');
    const { code, output } = await cli.run('src/cli/import-people.ts', [file]);
    expect(code).toBe(1);
    expect(output).toMatch(/row 3, user: must be a Slack user id/);
    expect(output).toMatch(/row 4, role/);
  });

  it('records managers and roles, by Slack id or email', async () => {
    const file = join(cli.dir, 'people.csv');
    writeFileSync(
      file,
      'User,Manager,Role\nU0REP1,U0MGR1,rep\ndana@example.com,boss@example.com,\nU0MGR1,,manager\n',
    );
    const dry = await cli.run('src/cli/import-people.ts', [file, '--dry-run']);
    expect(dry.output).toContain('3 people are valid');
    expect(await people()).toEqual([]);

    const { code, output } = await cli.run('src/cli/import-people.ts', [file]);
    expect(output).toContain('imported 3 people');
    expect(code).toBe(0);
    expect(await people()).toEqual([
      { user_id: 'U0DANA', email: 'dana@example.com', role: 'rep', manager_user_id: 'U0BOSS' },
      { user_id: 'U0MGR1', email: null, role: 'manager', manager_user_id: null },
      { user_id: 'U0REP1', email: null, role: 'rep', manager_user_id: 'U0MGR1' },
    ]);
  });
});
