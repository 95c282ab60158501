import { describe, expect, it } from 'vitest';
import {
  configuredWorkspaces,
  credentialsOf,
  dropCredential,
  ensureWorkspace,
  lockSettings,
  logSettingChanges,
  putCredential,
  recentSettingChanges,
  setUsergroupMembers,
  storedSettings,
  teamOfApiToken,
  usergroupWorkspaces,
  workspaceKnown,
  writeSettings,
} from '../../src/db/settings.ts';
import { useTestDatabase } from '../support/db.ts';
import { OTHER_TEAM, TEAM } from '../support/rows.ts';

const database = useTestDatabase();

describe('db/settings', () => {
  it('reads nothing set as no overrides, and writes a workspace’s settings apart from another’s', async () => {
    const { db } = database;
    expect(await storedSettings(db, TEAM)).toEqual({
      overrides: {},
      arUsergroupId: null,
      arUsergroupMembers: [],
      connectors: {},
      version: 0,
    });
    expect(await workspaceKnown(db, TEAM)).toBe(false);
    const version = await db.transaction().execute(async (trx) => {
      const before = await lockSettings(trx, TEAM);
      expect(before.version).toBe(0);
      return writeSettings(
        trx,
        TEAM,
        {
          overrides: { PAST_DUE_DAYS: '5,10', FINANCE_CHANNEL_ID: 'C0NEW' },
          arUsergroupId: 'S0AR',
          arUsergroupMembers: ['U1', 'U2'],
          connectors: { stripe: false },
        },
        'U0ADMIN',
      );
    });
    expect(version).toBe(1);
    expect(await storedSettings(db, TEAM)).toEqual({
      overrides: { PAST_DUE_DAYS: '5,10', FINANCE_CHANNEL_ID: 'C0NEW' },
      arUsergroupId: 'S0AR',
      arUsergroupMembers: ['U1', 'U2'],
      connectors: { stripe: false },
      version: 1,
    });
    expect((await storedSettings(db, OTHER_TEAM)).overrides).toEqual({});
    expect(await workspaceKnown(db, TEAM)).toBe(true);
    expect(await workspaceKnown(db, OTHER_TEAM)).toBe(false);
    await ensureWorkspace(db, OTHER_TEAM);
    await ensureWorkspace(db, OTHER_TEAM);
    expect(await configuredWorkspaces(db)).toEqual([TEAM, OTHER_TEAM].sort());
    expect(await usergroupWorkspaces(db)).toEqual([{ teamId: TEAM, groupId: 'S0AR' }]);
  });

  it('refreshes a user group’s members only while that group is still the one chosen', async () => {
    const { db } = database;
    await db.transaction().execute(async (trx) => {
      await lockSettings(trx, TEAM);
      await writeSettings(
        trx,
        TEAM,
        { overrides: {}, arUsergroupId: 'S0NEW', arUsergroupMembers: [], connectors: {} },
        'U0ADMIN',
      );
    });
    expect(await setUsergroupMembers(db, TEAM, 'S0OLD', ['U9'])).toBe(false);
    expect(await setUsergroupMembers(db, TEAM, 'S0NEW', ['U3', 'U4'])).toBe(true);
    const stored = await storedSettings(db, TEAM);
    expect(stored.arUsergroupMembers).toEqual(['U3', 'U4']);
  });

  it('logs changes per workspace, newest first', async () => {
    const { db } = database;
    await logSettingChanges(db, TEAM, 'U0ADMIN', [{ key: 'NAG_MAX', from: '3', to: '5' }]);
    await logSettingChanges(db, TEAM, 'U0OTHER', [{ key: 'NAG_MAX', from: '5', to: '6' }]);
    await logSettingChanges(db, OTHER_TEAM, 'U0X', [{ key: 'NAG_MAX', from: '3', to: '1' }]);
    await logSettingChanges(db, TEAM, 'U0ADMIN', []);
    const changes = await recentSettingChanges(db, TEAM, 10);
    expect(changes.map((c) => [c.setting, c.oldValue, c.newValue, c.changedBy])).toEqual([
      ['NAG_MAX', '5', '6', 'U0OTHER'],
      ['NAG_MAX', '3', '5', 'U0ADMIN'],
    ]);
    expect(changes[0]?.changedAt).toBeInstanceOf(Date);
    expect(await recentSettingChanges(db, TEAM, 1)).toHaveLength(1);
  });

  it('keeps one credential per kind and workspace, and finds a workspace by its token hash', async () => {
    const { db } = database;
    await putCredential(db, TEAM, 'api_token', { tokenHash: 'hash-a' }, 'U0ADMIN');
    await putCredential(db, OTHER_TEAM, 'api_token', { tokenHash: 'hash-b' }, 'U0ADMIN');
    expect(await teamOfApiToken(db, 'hash-a')).toBe(TEAM);
    expect(await teamOfApiToken(db, 'hash-b')).toBe(OTHER_TEAM);
    await putCredential(db, TEAM, 'api_token', { tokenHash: 'hash-c' }, 'U0OTHER');
    expect(await teamOfApiToken(db, 'hash-a')).toBeUndefined();
    expect(await teamOfApiToken(db, 'hash-c')).toBe(TEAM);
    await expect(
      putCredential(db, OTHER_TEAM, 'api_token', { tokenHash: 'hash-c' }, 'U0X'),
    ).rejects.toThrow();
    await putCredential(db, TEAM, 'webhook_secret', { sealed: 'v1.sealed' }, 'U0ADMIN');
    const creds = await credentialsOf(db, TEAM);
    expect([...creds.keys()].sort()).toEqual(['api_token', 'webhook_secret']);
    expect(creds.get('api_token')).toMatchObject({ value: 'hash-c', createdBy: 'U0OTHER' });
    expect(await dropCredential(db, TEAM, 'webhook_secret')).toBe(true);
    expect(await dropCredential(db, TEAM, 'webhook_secret')).toBe(false);
    expect([...(await credentialsOf(db, TEAM)).keys()]).toEqual(['api_token']);
  });
});
