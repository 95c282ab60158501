import { describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/connect.ts';
import { databaseErrorCode, isDatabaseUnavailable } from '../../src/db/errors.ts';
import { useTestDatabase } from '../support/db.ts';

const database = useTestDatabase();

async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('db/errors', () => {
  it('calls a server that refuses connections unavailable, with its socket code', async () => {
    const nowhere = openPostgres('postgres://postgres@127.0.0.1:1/none', 1);
    try {
      const error = await failureOf(() => nowhere.db.selectFrom('accounts').selectAll().execute());
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(databaseErrorCode(error)).toBe('ECONNREFUSED');
    } finally {
      await nowhere.close();
    }
  });

  it('calls a missing table unavailable (a database without its schema), but not a bad value', async () => {
    const missing = await failureOf(() =>
      (database.db as unknown as typeof database.db)
        .selectFrom('no_such_table' as 'accounts')
        .selectAll()
        .execute(),
    );
    expect(databaseErrorCode(missing)).toBe('42P01');
    expect(isDatabaseUnavailable(missing)).toBe(true);
    const badValue = await failureOf(() =>
      database.db
        .insertInto('accounts')
        .values({ team_id: 'T0ERR', name: 'bad\u0000name', name_key: 'bad' })
        .execute(),
    );
    expect(isDatabaseUnavailable(badValue)).toBe(false);
  });

  it('looks inside AggregateErrors and causes, and ignores what is not an error', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(new AggregateError([refused], ''))).toBe(true);
    expect(databaseErrorCode(new AggregateError([refused], ''))).toBe('ECONNREFUSED');
    expect(
      isDatabaseUnavailable(new Error('wrapped', { cause: new Error('Connection terminated unexpectedly') })),
    ).toBe(true);
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
  });
});
