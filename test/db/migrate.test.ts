import { describe, expect, it } from 'vitest';
import { migrateOrThrow, migrateToLatest } from '../../src/db/migrate.ts';
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
});
