import type { Kysely } from 'kysely';
import { type Migration, type MigrationProvider, type MigrationResultSet, Migrator } from 'kysely/migration';
import * as initial from '../../migrations/2026-11-23T00-00-initial.ts';
import * as reminders from '../../migrations/2026-11-23T01-00-reminders.ts';
import * as collections from '../../migrations/2026-11-23T02-00-collections.ts';
import * as search from '../../migrations/2026-11-23T03-00-search.ts';
import * as updateLookups from '../../migrations/2026-11-23T04-00-update-lookups.ts';
import * as statusIndexes from '../../migrations/2026-11-23T05-00-status-indexes.ts';

/** Every migration, by name; names sort in the order they run. */
const MIGRATIONS: Record<string, Migration> = {
  '2026-11-23T00-00-initial': initial,
  '2026-11-23T01-00-reminders': reminders,
  '2026-11-23T02-00-collections': collections,
  '2026-11-23T03-00-search': search,
  '2026-11-23T04-00-update-lookups': updateLookups,
  '2026-11-23T05-00-status-indexes': statusIndexes,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Brings the schema up to date. Holds a database lock, so several replicas may call it at once. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  return new Migrator({ db, provider }).migrateToLatest();
}

/** Like migrateToLatest, but throws with the failing migration's name. */
export async function migrateOrThrow(db: Kysely<any>): Promise<void> {
  const { error, results } = await migrateToLatest(db);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(
      `Database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
}
