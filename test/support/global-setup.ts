import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPglite, openPostgres } from '../../src/db/connect.ts';
import { migrateOrThrow } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Real PostgreSQL: the migrated template database each test file clones. */
    postgresTemplate: string | null;
    /** Embedded PGlite: a migrated dumpDataDir() snapshot each test file loads. */
    pgliteSnapshot: string | null;
  }
}

export function adminUrl(databaseUrl: string, database = 'postgres'): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Migrates once per test run; every test file then starts from a copy in about a second or less. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    const template = `arbridge_tpl_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl(databaseUrl) });
    await admin.connect();
    await admin.query(`create database ${template}`);
    const handle = openPostgres(adminUrl(databaseUrl, template), 1);
    await migrateOrThrow(handle.db);
    await handle.close();
    project.provide('postgresTemplate', template);
    project.provide('pgliteSnapshot', null);
    return async () => {
      // Drop this run's databases (the template and any clone a crashed file left behind).
      const { rows } = await admin.query<{ datname: string }>(
        `select datname from pg_database where datname = $1 or datname like $2`,
        [template, `${template}_%`],
      );
      for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`);
      await admin.end();
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'arbridge-test-'));
  const handle = await openPglite();
  await migrateOrThrow(handle.db);
  const snapshot = await handle.pglite.dumpDataDir('none');
  const file = join(dir, 'migrated.tar');
  writeFileSync(file, Buffer.from(await snapshot.arrayBuffer()));
  await handle.close();
  project.provide('postgresTemplate', null);
  project.provide('pgliteSnapshot', file);
  return async () => rmSync(dir, { recursive: true, force: true });
}
