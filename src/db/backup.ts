import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { openPglite } from './connect.ts';

/** The embedded database's files live here, under DATA_DIR (beside the lock file). */
const pgdataOf = (dataDir: string) => join(resolve(dataDir), 'pgdata');

/**
 * Writes a consistent copy of the embedded database under `dataDir` to `file` (a gzipped tar,
 * PGlite's dumpDataDir). Takes the data-dir lock first, so it refuses with DataDirLockedError,
 * naming the process, while the bot runs. Returns the size in bytes.
 */
export async function backupDataDir(dataDir: string, file: string): Promise<number> {
  if (!existsSync(pgdataOf(dataDir)))
    throw new Error(`there is no embedded database under ${resolve(dataDir)}`);
  const handle = await openPglite({ dataDir });
  try {
    const dump = await handle.pglite.dumpDataDir('gzip');
    const bytes = Buffer.from(await dump.arrayBuffer());
    writeFileSync(file, bytes);
    return bytes.length;
  } finally {
    await handle.close();
  }
}

/**
 * Loads a backup into `dataDir`, which must hold no database yet (a new directory, or one whose
 * pgdata was moved away): a restore never overwrites. Checks that the result opens and answers;
 * returns how many migrations it has applied.
 */
export async function restoreDataDir(dataDir: string, file: string): Promise<number> {
  const target = pgdataOf(dataDir);
  if (existsSync(target) && readdirSync(target).length > 0)
    throw new Error(
      `${resolve(dataDir)} already holds a database: restore into a new DATA_DIR, or move ${target} away first`,
    );
  const backup = new Blob([readFileSync(file)]);
  const handle = await openPglite({ dataDir, loadDataDir: backup });
  try {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(
      handle.db,
    );
    return rows[0]?.n ?? 0;
  } finally {
    await handle.close();
  }
}
