import { describe, expect, it } from 'vitest';
import {
  findInstallation,
  installedTeamIds,
  markUninstalled,
  saveInstallation,
} from '../../src/db/installations.ts';
import { useTestDatabase } from '../support/db.ts';
import { anInstallation } from '../support/rows.ts';

const database = useTestDatabase();

describe('db/installations', () => {
  it('records an install, deletes the tokens on uninstall (once), and a reinstall restores them', async () => {
    const { db } = database;
    await saveInstallation(db, anInstallation('T0INSTA'));
    await saveInstallation(db, anInstallation('T0INSTB'));
    expect(await installedTeamIds(db)).toEqual(expect.arrayContaining(['T0INSTA', 'T0INSTB']));
    expect(await findInstallation(db, 'T0INSTA')).toMatchObject({
      bot_token: 'v1.key.iv.tag.T0INSTA',
      bot_user_id: 'U0BOTT0INSTA',
      scopes: 'chat:write,commands',
      installer_user_id: 'U0ADMIN',
      uninstalled_at: null,
    });

    expect(await markUninstalled(db, 'T0INSTA', 'app_uninstalled')).toBe(true);
    expect(await markUninstalled(db, 'T0INSTA', 'app_uninstalled')).toBe(false);
    expect(await findInstallation(db, 'T0INSTA')).toMatchObject({
      bot_token: null,
      bot_refresh_token: null,
      uninstall_reason: 'app_uninstalled',
    });
    expect(await installedTeamIds(db)).not.toContain('T0INSTA');
    expect(await installedTeamIds(db)).toContain('T0INSTB');

    // A reinstall (or a token refresh) without installer or URL keeps the ones recorded.
    await saveInstallation(
      db,
      anInstallation('T0INSTA', {
        sealedBotToken: 'v1.key.iv.tag.new',
        installerUserId: null,
        teamUrl: null,
      }),
    );
    expect(await findInstallation(db, 'T0INSTA')).toMatchObject({
      bot_token: 'v1.key.iv.tag.new',
      installer_user_id: 'U0ADMIN',
      team_url: 'https://t0insta.slack.com/',
      uninstalled_at: null,
      uninstall_reason: null,
    });
    expect(await installedTeamIds(db)).toContain('T0INSTA');
  });

  it('refuses a row whose token and uninstall state disagree', async () => {
    const { db } = database;
    await saveInstallation(db, anInstallation('T0INSTC'));
    await expect(
      db.updateTable('installations').set({ bot_token: null }).where('team_id', '=', 'T0INSTC').execute(),
    ).rejects.toThrow(/installations_token_state/);
  });
});
