import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { type DatabaseHandle, openPglite, openPostgres } from '../../src/db/connect.ts';
import type { Queryable } from '../../src/db/schema.ts';
import { adminUrl } from './global-setup.ts';

/**
 * A migrated database of this test file's own: a clone of the run's template on PostgreSQL
 * (DATABASE_URL set), or an in-memory PGlite loaded from the run's snapshot.
 */
export async function openTestDatabase(): Promise<DatabaseHandle & { url?: string }> {
  const template = inject('postgresTemplate');
  const databaseUrl = process.env.DATABASE_URL;
  if (template && databaseUrl) {
    const name = `${template}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl(databaseUrl) });
    await admin.connect();
    try {
      await admin.query(`create database ${name} template ${template}`);
    } finally {
      await admin.end();
    }
    const handle = openPostgres(adminUrl(databaseUrl, name));
    return {
      ...handle,
      url: adminUrl(databaseUrl, name),
      close: async () => {
        await handle.close();
        const dropper = new pg.Client({ connectionString: adminUrl(databaseUrl) });
        await dropper.connect();
        await dropper.query(`drop database if exists ${name} with (force)`);
        await dropper.end();
      },
    };
  }
  const snapshot = inject('pgliteSnapshot');
  if (!snapshot) throw new Error('global setup provided no database');
  return openPglite({ loadDataDir: new Blob([readFileSync(snapshot)]) });
}

export const usingPostgres = Boolean(process.env.DATABASE_URL);

/**
 * Whether a session of this PostgreSQL database waits for a lock (a concurrent statement the test
 * started has reached the row another transaction holds), looked at until it does, 500 times at most.
 */
export async function untilALockIsAwaited(db: Queryable): Promise<boolean> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
    if ((rows[0]?.n ?? 0) > 0) return true;
  }
  return false;
}

/**
 * A database of the test file's own for its tests (see openTestDatabase): opened before them and
 * closed after. Read `.db` inside a test or hook.
 */
export function useTestDatabase(): { readonly db: DatabaseHandle['db'] } {
  let handle: DatabaseHandle | undefined;
  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => handle?.close());
  return {
    get db() {
      if (!handle) throw new Error('the test database is opened in beforeAll');
      return handle.db;
    },
  };
}
