import { randomBytes } from 'node:crypto';
import type { Installation } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInstallation, markUninstalled } from '../../src/db/installations.ts';
import { createLogger } from '../../src/log.ts';
import { installationStore, installedWorkspaces, WorkspaceNotInstalled } from '../../src/slack/workspaces.ts';
import { useTestDatabase } from '../support/db.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';

const database = useTestDatabase();
const logger = createLogger('silent', false);
let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => fake?.close());

const settings = () => ({ SLACK_API_URL: fake.url, ENCRYPTION_KEY: [randomBytes(32)] });

const installation = (teamId: string, token: string): Installation<'v2', false> => ({
  team: { id: teamId, name: `Team ${teamId}` },
  enterprise: undefined,
  user: { id: 'U0INSTALLER', token: undefined, scopes: undefined },
  bot: { token, scopes: ['chat:write', 'commands'], id: 'B0WS', userId: 'U0WSBOT' },
  appId: 'A0APP',
  isEnterpriseInstall: false,
  authVersion: 'v2',
});

describe('slack/workspaces: the installation store and the registry', () => {
  it('stores a sealed token, fetches it for authorize, and serves that workspace with it', async () => {
    const config = settings();
    const installed: string[] = [];
    const store = installationStore(config, database.db, logger, (t) => installed.push(t));
    await store.storeInstallation(installation('T0WSA', 'xoxb-wsa-secret'));
    expect(installed).toEqual(['T0WSA']);
    const row = await findInstallation(database.db, 'T0WSA');
    expect(row?.bot_token).not.toContain('xoxb-wsa-secret');
    // The workspace URL comes from auth.test with the new token.
    expect(row?.team_url).toBe('https://fake.slack.com/');

    const fetched = await store.fetchInstallation({
      teamId: 'T0WSA',
      enterpriseId: undefined,
      isEnterpriseInstall: false,
    });
    expect(fetched.bot).toMatchObject({ token: 'xoxb-wsa-secret', userId: 'U0WSBOT', id: 'B0WS' });

    const registry = installedWorkspaces(config, database.db, logger);
    expect(registry.multi).toBe(true);
    expect(registry.defaultTeamId).toBeNull();
    expect(await registry.isInstalled('T0WSA')).toBe(true);
    expect(await registry.installerOf('T0WSA')).toBe('U0INSTALLER');
    expect(await registry.identityFor('T0WSA')).toEqual({
      teamId: 'T0WSA',
      botUserId: 'U0WSBOT',
      botId: 'B0WS',
      teamUrl: 'https://fake.slack.com/',
    });
    const client = await registry.slackFor('T0WSA');
    expect(await registry.slackFor('T0WSA')).toBe(client);
    expect(await registry.slackFor('T0WSA', 'delivery')).not.toBe(client);
    await client.auth.test();
    expect(fake.callsTo('auth.test').at(-1)?.token).toBe('xoxb-wsa-secret');
  });

  it('refuses an uninstalled or unknown workspace, and an organisation-wide install', async () => {
    const config = settings();
    const store = installationStore(config, database.db, logger, () => {});
    await store.storeInstallation(installation('T0WSB', 'xoxb-wsb'));
    await markUninstalled(database.db, 'T0WSB', 'tokens_revoked');
    const registry = installedWorkspaces(config, database.db, logger);
    expect(await registry.teamIds()).not.toContain('T0WSB');
    expect(await registry.isInstalled('T0WSB')).toBe(false);
    await expect(registry.slackFor('T0WSB')).rejects.toBeInstanceOf(WorkspaceNotInstalled);
    await expect(registry.slackFor('T0NEVER')).rejects.toBeInstanceOf(WorkspaceNotInstalled);
    await expect(
      store.fetchInstallation({ teamId: 'T0WSB', enterpriseId: undefined, isEnterpriseInstall: false }),
    ).rejects.toThrow(/not installed in workspace T0WSB/);
    const org = {
      ...installation('T0WSC', 'xoxb-org'),
      isEnterpriseInstall: true,
    } as unknown as Installation;
    await expect(store.storeInstallation(org)).rejects.toThrow(/one workspace at a time/);
    expect(await findInstallation(database.db, 'T0WSC')).toBeUndefined();
  });
});
