import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { type CopyValue, copyInto, copyLine } from '../../src/db/copy.ts';
import { useTestDatabase } from '../support/db.ts';

const database = useTestDatabase();

/** Values a COPY text line must escape, and ones it must leave alone. */
const AWKWARD = [
  'plain',
  'comma, "quoted"',
  "it's",
  'tab\there',
  'line\nbreak',
  'carriage\r\nreturn',
  'back\\slash \\N \\t',
  '\\',
  'Müller GmbH — 株式会社 🚀',
  '',
  ' padded ',
];

async function* batches<T>(rows: readonly T[], size: number): AsyncGenerator<readonly T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

describe('db/copy', () => {
  it('writes COPY text lines: escapes, null, booleans and numbers', () => {
    expect(copyLine(['a\tb', null, true, false, 12, 'x\\y\nz\r'])).toBe(
      'a\\tb\t\\N\tt\tf\t12\tx\\\\y\\nz\\r\n',
    );
    expect(() => copyLine(['nul\u0000'])).toThrow(/NUL/);
  });

  it('copies rows into a table in the transaction, every value as it was given', async () => {
    const { db } = database;
    const rows: CopyValue[][] = AWKWARD.map((text, i) => [
      i,
      text,
      i % 2 === 0 ? null : i * 1.5,
      i % 3 === 0,
    ]);
    const back = await db.transaction().execute(async (trx) => {
      await sql`create temp table copied (n int, t text, x float8, b bool) on commit drop`.execute(trx);
      const count = await copyInto(trx, 'copied', ['n', 't', 'x', 'b'], batches(rows, 4));
      const { rows: read } = await sql<{
        n: number;
        t: string;
        x: number | null;
        b: boolean;
      }>`select n, t, x, b from copied order by n`.execute(trx);
      return { count, read };
    });
    expect(back.count).toBe(AWKWARD.length);
    expect(back.read).toEqual(rows.map(([n, t, x, b]) => ({ n, t, x, b })));
  });

  it('copies many rows in bounded chunks (over 1 MB of text) and counts them', async () => {
    const { db } = database;
    const long = 'x'.repeat(200);
    const rows = Array.from({ length: 12_000 }, (_, i): CopyValue[] => [i, `${long}\t${i}`]);
    const summary = await db.transaction().execute(async (trx) => {
      await sql`create temp table many (n int, t text) on commit drop`.execute(trx);
      const count = await copyInto(trx, 'many', ['n', 't'], batches(rows, 2_000));
      const { rows: read } = await sql<{ n: number; sum: string; bad: number }>`
        select count(*)::int as n, sum(n)::text as sum,
          count(*) filter (where t <> repeat('x', 200) || chr(9) || n::text)::int as bad
        from many`.execute(trx);
      return { count, ...read[0] };
    });
    expect(summary).toEqual({ count: 12_000, n: 12_000, sum: String((11_999 * 12_000) / 2), bad: 0 });
  });

  it('copies nothing from no rows', async () => {
    const { db } = database;
    const n = await db.transaction().execute(async (trx) => {
      await sql`create temp table empty_copy (n int) on commit drop`.execute(trx);
      const count = await copyInto(trx, 'empty_copy', ['n'], batches([], 10));
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from empty_copy`.execute(trx);
      return { count, rows: rows[0]?.n };
    });
    expect(n).toEqual({ count: 0, rows: 0 });
  });

  it('a reader that fails mid-way fails the COPY with its error; the connection goes on working', async () => {
    const { db } = database;
    async function* failing(): AsyncGenerator<readonly CopyValue[][]> {
      yield [[1], [2]];
      throw new Error('the file was rejected');
    }
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`create temp table failed_copy (n int) on commit drop`.execute(trx);
        await copyInto(trx, 'failed_copy', ['n'], failing());
      }),
    ).rejects.toThrow('the file was rejected');
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('a row the server refuses fails the COPY, and the transaction rolls back', async () => {
    const { db } = database;
    await sql`create table if not exists copy_refused (n int not null)`.execute(db);
    await expect(
      db.transaction().execute(async (trx) => {
        await copyInto(trx, 'copy_refused', ['n'], batches([[1], ['not a number']], 1));
      }),
    ).rejects.toThrow(/invalid input syntax/);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from copy_refused`.execute(db);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('refuses names that are not plain identifiers', async () => {
    const { db } = database;
    await expect(copyInto(db, 'x; drop table invoices', ['n'], batches([], 1))).rejects.toThrow(/plain/);
  });
});
