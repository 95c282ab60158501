import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir, openPostgres, pingDatabase } from '../../src/db/connect.ts';
import { useTestDatabase, usingPostgres } from '../support/db.ts';

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

  it.runIf(usingPostgres)(
    'keeps every connection it opened through quiet spells, plans and all',
    async () => {
      const idleTimeoutMillis = 20;
      const pool = openPostgres(process.env.DATABASE_URL as string, 2, () => {}, idleTimeoutMillis);
      // Two statements at once hold both connections: the backends' pids name them.
      const backends = async () =>
        (
          await Promise.all(
            [0, 1].map(() =>
              sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.05)`.execute(pool.db),
            ),
          )
        )
          .map((result) => result.rows[0]?.pid)
          .sort();
      try {
        const first = await backends();
        expect(new Set(first).size).toBe(2);
        // Nothing to wait for: the point is that nothing happens in ten idle timeouts.
        await new Promise((resolve) => setTimeout(resolve, 10 * idleTimeoutMillis));
        expect(await backends()).toEqual(first);
      } finally {
        await pool.close();
      }
    },
  );

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
