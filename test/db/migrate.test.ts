import { describe, expect, it } from 'vitest';
import { migrateOrThrow, migrateToLatest, pendingMigrations } from '../../src/db/migrate.ts';
import { useTestDatabase } from '../support/db.ts';

const database = useTestDatabase();

describe('db/migrate', () => {
  it('finds a migrated database up to date, however often it is asked', async () => {
    const { error, results } = await migrateToLatest(database.db);
    expect(error).toBeUndefined();
    expect(results).toEqual([]);
    await expect(migrateOrThrow(database.db)).resolves.toBeUndefined();
    const tables = await database.db.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'accounts',
        'deals',
        'handoffs',
        'invoices',
        'collection_updates',
        'notifications',
        'people',
        'seen_requests',
      ]),
    );
  });

  it('counts no pending migration on a migrated database, and all of them on an empty one', async () => {
    expect(await pendingMigrations(database.db)).toBe(0);
    const applied = await database.db
      .selectFrom('kysely_migration' as 'accounts')
      .select('name')
      .execute();
    await database.db.schema.alterTable('kysely_migration').renameTo('kysely_migration_away').execute();
    try {
      expect(await pendingMigrations(database.db)).toBe(applied.length);
    } finally {
      await database.db.schema.alterTable('kysely_migration_away').renameTo('kysely_migration').execute();
    }
    expect(await pendingMigrations(database.db)).toBe(0);
  });
});
