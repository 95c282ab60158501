import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInstallation, saveInstallation } from '../../src/db/installations.ts';
import { createKeyring } from '../../src/secrets.ts';
import { CLI_TEST_TIMEOUT_MS, type CliSetup, startCliSetup } from '../support/cli.ts';
import { anInstallation } from '../support/rows.ts';

const oldKey = randomBytes(32);
const newKey = randomBytes(32);
let cli: CliSetup;

beforeAll(async () => {
  cli = await startCliSetup('reseal', [], {
    ENCRYPTION_KEY: [newKey, oldKey].map((k) => k.toString('base64')).join(','),
  });
}, CLI_TEST_TIMEOUT_MS);
afterAll(async () => cli?.close());

describe('npm run reseal', () => {
  it(
    'reseals what the old key sealed with the newest key, after a dry run that changes nothing',
    async () => {
      const sealedBefore = createKeyring([oldKey]).seal('xoxb-rotated');
      await cli.withDb((db) =>
        saveInstallation(db, anInstallation('T0RESEAL', { sealedBotToken: sealedBefore })),
      );
      const help = await cli.run('src/cli/reseal.ts', ['--help']);
      expect(help).toMatchObject({ code: 0, output: expect.stringContaining('usage: npm run reseal') });

      const dry = await cli.run('src/cli/reseal.ts', ['--dry-run']);
      expect(dry.code).toBe(0);
      expect(dry.output).toContain('"column":"installations.bot_token","sealed":1,"resealed":1');
      expect((await cli.withDb((db) => findInstallation(db, 'T0RESEAL')))?.bot_token).toBe(sealedBefore);

      const done = await cli.run('src/cli/reseal.ts', []);
      expect(done.code).toBe(0);
      expect(done.output).toContain('"dryRun":false');
      const after = (await cli.withDb((db) => findInstallation(db, 'T0RESEAL')))?.bot_token as string;
      expect(after).not.toBe(sealedBefore);
      expect(createKeyring([newKey]).open(after)).toBe('xoxb-rotated');
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
