import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveInstallation } from '../../src/db/installations.ts';
import { createKeyring } from '../../src/secrets.ts';
import { CLI_TEST_TIMEOUT_MS, type CliSetup, startCliSetup } from '../support/cli.ts';
import { anInstallation } from '../support/rows.ts';

const key = randomBytes(32);
let cli: CliSetup;

beforeAll(async () => {
  cli = await startCliSetup('team-option', [], {
    SLACK_BOT_TOKEN: '',
    SLACK_CLIENT_ID: '1111.2222',
    SLACK_CLIENT_SECRET: 'client-secret',
    SLACK_STATE_SECRET: 'state-secret-0123456789',
    ENCRYPTION_KEY: key.toString('base64'),
  });
}, CLI_TEST_TIMEOUT_MS);
afterAll(async () => cli?.close());

describe('the tools in multi-workspace mode', () => {
  it(
    'import into the workspace --team names, which must be installed',
    async () => {
      const ring = createKeyring([key]);
      await cli.withDb((db) =>
        saveInstallation(db, anInstallation('T0CLIA', { sealedBotToken: ring.seal('xoxb-clia') })),
      );
      const file = join(cli.dir, 'aging.csv');
      writeFileSync(
        file,
        'Invoice Number,Customer,Invoice Date,Due Date,Amount,Balance,Currency\r\nINV-T1,Initech,2026-01-01,2026-02-01,100.00,100.00,USD\r\n',
      );
      const CLI = 'src/cli/import-invoices.ts';
      const unnamed = await cli.run(CLI, [file]);
      expect(unnamed).toMatchObject({
        code: 2,
        output: expect.stringContaining('--team (installed: T0CLIA)'),
      });
      const unknown = await cli.run(CLI, [file, '--team', 'T0NOPE']);
      expect(unknown).toMatchObject({
        code: 1,
        output: expect.stringContaining('not installed in workspace T0NOPE'),
      });
      const named = await cli.run(CLI, [file, '--team', 'T0CLIA']);
      expect(named).toMatchObject({ code: 0 });
      const rows = await cli.withDb((db) =>
        db.selectFrom('invoices').select(['team_id', 'number']).execute(),
      );
      expect(rows).toEqual([{ team_id: 'T0CLIA', number: 'INV-T1' }]);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
