import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupDataDir, restoreDataDir } from '../../src/db/backup.ts';
import { DataDirLockedError, openPglite } from '../../src/db/connect.ts';
import { migrateOrThrow } from '../../src/db/migrate.ts';
import { insertNotifications } from '../../src/db/notifications.ts';
import { TEAM } from '../support/rows.ts';

// The embedded database only (PostgreSQL is backed up with pg_dump); on both runs of the suite.
const dir = mkdtempSync(join(tmpdir(), 'arbridge-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('db/backup', { timeout: 120_000 }, () => {
  it('backs the embedded database up and restores it into a new data directory', async () => {
    const source = join(dir, 'source');
    const handle = await openPglite({ dataDir: source });
    await migrateOrThrow(handle.db);
    await insertNotifications(handle.db, [
      {
        team_id: TEAM,
        dedupe_key: 'kept',
        target: '{"kind":"channel","channel":"C1"}',
        message: '{"text":"hi"}',
      },
    ]);
    await handle.close();

    const file = join(dir, 'arbridge.tar.gz');
    expect(await backupDataDir(source, file)).toBeGreaterThan(1_000);
    const target = join(dir, 'restored');
    expect(await restoreDataDir(target, file)).toBeGreaterThan(5);
    const restored = await openPglite({ dataDir: target });
    try {
      const rows = await restored.db.selectFrom('notifications').select('dedupe_key').execute();
      expect(rows).toEqual([{ dedupe_key: 'kept' }]);
    } finally {
      await restored.close();
    }
    // A restore never overwrites a database.
    await expect(restoreDataDir(target, file)).rejects.toThrow(/already holds a database/);
  });

  it('refuses while another process holds the data directory, naming it', async () => {
    const held = join(dir, 'held');
    const handle = await openPglite({ dataDir: held });
    await handle.close();
    // The lock of a live process on this host (the test runner's parent).
    writeFileSync(
      join(held, 'ar-bridge.lock'),
      JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-12-01T10:00:00.000Z' }),
    );
    const attempt = backupDataDir(held, join(dir, 'never.tar.gz'));
    await expect(attempt).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(attempt).rejects.toThrow(`pid ${process.ppid}`);
  });
});
