import type { Kysely } from 'kysely';
import {
  DEFAULT_MIGRATION_TABLE,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
} from 'kysely/migration';
import * as initial from '../../migrations/2026-11-23T00-00-initial.ts';
import * as reminders from '../../migrations/2026-11-23T01-00-reminders.ts';
import * as collections from '../../migrations/2026-11-23T02-00-collections.ts';
import * as search from '../../migrations/2026-11-23T03-00-search.ts';
import * as updateLookups from '../../migrations/2026-11-23T04-00-update-lookups.ts';
import * as statusIndexes from '../../migrations/2026-11-23T05-00-status-indexes.ts';
import * as deliveryLookups from '../../migrations/2026-11-24T00-00-delivery-lookups.ts';
import * as invoiceLinks from '../../migrations/2026-12-01T00-00-invoice-links.ts';
import * as stripeObjects from '../../migrations/2026-12-01T11-00-stripe-objects.ts';
import * as asks from '../../migrations/2026-12-01T14-00-asks.ts';
import * as ledgerRollup from '../../migrations/2026-12-01T15-00-ledger-rollup.ts';
import * as nameWords from '../../migrations/2026-12-01T15-01-name-words.ts';
import * as installations from '../../migrations/2026-12-01T16-00-installations.ts';
import * as workspaceKeys from '../../migrations/2026-12-01T16-01-workspace-keys.ts';
import * as workspaceSettings from '../../migrations/2026-12-01T17-00-workspace-settings.ts';
import * as digests from '../../migrations/2026-12-01T18-00-digests.ts';
import * as accountsFillfactor from '../../migrations/2026-12-01T19-00-accounts-fillfactor.ts';
import * as nameWordsUpdate from '../../migrations/2026-12-01T19-01-name-words-update.ts';
import * as nameVocabulary from '../../migrations/2026-12-02T01-00-name-vocabulary.ts';
import * as statusFunction from '../../migrations/2026-12-02T01-01-status-function.ts';
import * as accountBook from '../../migrations/2026-12-02T01-02-account-book.ts';
import * as statusLookupLean from '../../migrations/2026-12-02T03-00-status-lookup-lean.ts';
import * as bookCountIndex from '../../migrations/2026-12-02T03-01-book-count-index.ts';
import * as invoiceIndexDiet from '../../migrations/2026-12-02T04-00-invoice-index-diet.ts';
import * as firstInvoiceIndexes from '../../migrations/2026-12-02T05-00-first-invoice-indexes.ts';
import * as invoiceReferences from '../../migrations/2026-12-02T06-00-invoice-references.ts';
import * as accountBookLean from '../../migrations/2026-12-02T06-01-account-book-lean.ts';
import * as accountNamesGin from '../../migrations/2026-12-02T06-02-account-names-gin.ts';
import * as accountBookDeferred from '../../migrations/2026-12-02T07-00-account-book-deferred.ts';
import * as statusLookupBounded from '../../migrations/2026-12-05T00-00-status-lookup-bounded.ts';
import { databaseErrorCode } from './errors.ts';

/** Every migration, by name; names sort in the order they run. */
const MIGRATIONS: Record<string, Migration> = {
  '2026-11-23T00-00-initial': initial,
  '2026-11-23T01-00-reminders': reminders,
  '2026-11-23T02-00-collections': collections,
  '2026-11-23T03-00-search': search,
  '2026-11-23T04-00-update-lookups': updateLookups,
  '2026-11-23T05-00-status-indexes': statusIndexes,
  '2026-11-24T00-00-delivery-lookups': deliveryLookups,
  '2026-12-01T00-00-invoice-links': invoiceLinks,
  '2026-12-01T15-00-ledger-rollup': ledgerRollup,
  '2026-12-01T15-01-name-words': nameWords,
  '2026-12-01T11-00-stripe-objects': stripeObjects,
  '2026-12-01T14-00-asks': asks,
  '2026-12-01T16-00-installations': installations,
  '2026-12-01T16-01-workspace-keys': workspaceKeys,
  '2026-12-01T17-00-workspace-settings': workspaceSettings,
  '2026-12-01T19-00-accounts-fillfactor': accountsFillfactor,
  '2026-12-01T19-01-name-words-update': nameWordsUpdate,
  '2026-12-01T18-00-digests': digests,
  '2026-12-02T01-00-name-vocabulary': nameVocabulary,
  '2026-12-02T01-01-status-function': statusFunction,
  '2026-12-02T01-02-account-book': accountBook,
  '2026-12-02T03-00-status-lookup-lean': statusLookupLean,
  '2026-12-02T03-01-book-count-index': bookCountIndex,
  '2026-12-02T04-00-invoice-index-diet': invoiceIndexDiet,
  '2026-12-02T05-00-first-invoice-indexes': firstInvoiceIndexes,
  '2026-12-02T06-00-invoice-references': invoiceReferences,
  '2026-12-02T06-01-account-book-lean': accountBookLean,
  '2026-12-02T06-02-account-names-gin': accountNamesGin,
  '2026-12-02T07-00-account-book-deferred': accountBookDeferred,
  '2026-12-05T00-00-status-lookup-bounded': statusLookupBounded,
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

/**
 * How many of this version's migrations the database has not applied: all of them when it has no
 * schema (a database recreated empty). One small query, so /readyz may ask every time.
 */
export async function pendingMigrations(db: Kysely<any>): Promise<number> {
  let applied: Set<string>;
  try {
    const rows = await db.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').execute();
    applied = new Set(rows.map((r: { name: string }) => r.name));
  } catch (error) {
    if (databaseErrorCode(error) !== '42P01') throw error;
    applied = new Set();
  }
  return Object.keys(MIGRATIONS).filter((name) => !applied.has(name)).length;
}
