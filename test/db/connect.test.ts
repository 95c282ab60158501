import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir, openPostgres, pingDatabase } from '../../src/db/connect.ts';
import { useTestDatabase } from '../support/db.ts';

const database = useTestDatabase();

describe('db/connect', () => {
  it('answers a ping while the database is up, and names why not otherwise', async () => {
    await expect(pingDatabase(database.db)).resolves.toBeUndefined();
    const nowhere = openPostgres('postgres://postgres@127.0.0.1:1/none', 1);
    try {
      await expect(pingDatabase(nowhere.db)).rejects.toThrow();
    } finally {
      await nowhere.close();
    }
  });

  it('lets one process at a time hold a data directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbridge-lock-'));
    const lockFile = join(dir, 'ar-bridge.lock');
    const heldBy = (pid: number) =>
      writeFileSync(lockFile, JSON.stringify({ pid, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    try {
      heldBy(1); // a process that is running
      expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
      heldBy(2 ** 22 + 1); // a process that is gone: its lock is stale and taken over
      const release = lockDataDir(dir);
      expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
      release();
      expect(existsSync(lockFile)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
