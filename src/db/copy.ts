/**
 * COPY … FROM, the one query path beside Kysely (which has none). A statement is sent through the
 * transaction's own connection like any other: `copyInto` puts its rows, as an async iterable of
 * COPY text, in the statement's one parameter, and the connection (see copyCapable* in connect.ts)
 * streams them: with pg-copy-streams on PostgreSQL, with backpressure; on PGlite as
 * `COPY … FROM '/dev/blob'`, one statement per bounded chunk. Either way nothing is held whole.
 */
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Queryable } from './schema.ts';

/** The rows of one COPY: lines of COPY text (tab-separated, `\N` for null, newline-terminated). */
class CopySource {
  readonly text: AsyncIterable<string>;
  constructor(text: AsyncIterable<string>) {
    this.text = text;
  }
}

/** A COPY value: text, a number, a boolean or null. */
export type CopyValue = string | number | boolean | null;

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * One row in COPY's text format: backslash, newline, carriage return and tab escaped, null as `\N`.
 * NUL cannot be stored by PostgreSQL at all: callers refuse it when they validate, and it throws here.
 */
export function copyLine(values: readonly CopyValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as CopyValue;
    if (i > 0) line += '\t';
    if (v === null) line += '\\N';
    else if (typeof v === 'boolean') line += v ? 't' : 'f';
    else if (typeof v === 'number') line += String(v);
    else {
      if (v.includes('\u0000')) throw new RangeError('a COPY value cannot contain a NUL character');
      line += ESCAPED_ONE.test(v) ? v.replace(ESCAPED, (c) => ESCAPES[c] as string) : v;
    }
  }
  return `${line}\n`;
}

/** The characters escaped (tested first: most values have none). */
const ESCAPED_ONE = /[\\\n\r\t]/;
const ESCAPED = /[\\\n\r\t]/g;

/**
 * Streams rows into `table` (its `columns`, in order) with COPY, in the caller's transaction;
 * returns how many rows were copied (the statement's one result row says so). `rows` is read as it is written: a batch at a time.
 */
export async function copyInto(
  db: Queryable,
  table: string,
  columns: readonly string[],
  rows: AsyncIterable<readonly (readonly CopyValue[])[]>,
): Promise<number> {
  async function* text(): AsyncGenerator<string> {
    for await (const batch of rows) {
      let chunk = '';
      for (const row of batch) chunk += copyLine(row);
      if (chunk !== '') yield chunk;
    }
  }
  return copyTextInto(db, table, columns, text());
}

/**
 * `copyInto` for rows already written as COPY text (lines of `copyLine`), so that they can be
 * prepared while the connection is busy with something else.
 */
export async function copyTextInto(
  db: Queryable,
  table: string,
  columns: readonly string[],
  text: AsyncIterable<string> | Iterable<string>,
): Promise<number> {
  if (!/^[a-z_][a-z0-9_]*$/.test(table) || columns.some((c) => !/^[a-z_][a-z0-9_]*$/.test(c)))
    throw new RangeError('copyInto takes plain lower-case table and column names');
  async function* chunks(): AsyncGenerator<string> {
    for await (const chunk of text) if (chunk !== '') yield chunk;
  }
  const result = await db.executeQuery(
    CompiledQuery.raw(`copy ${table} (${columns.join(', ')}) from stdin`, [new CopySource(chunks())]),
  );
  return (result.rows[0] as { copied: number } | undefined)?.copied ?? 0;
}

function copySourceOf(values: unknown): CopySource | undefined {
  return Array.isArray(values) && values.length === 1 && values[0] instanceof CopySource
    ? values[0]
    : undefined;
}

/** The COPY on PostgreSQL: one COPY FROM STDIN, written as the rows come (waiting when the socket is full). */
async function copyPostgres(client: pg.ClientBase, text: string, source: CopySource) {
  const stream = client.query(copyFrom(text));
  try {
    for await (const chunk of source.text) if (!stream.write(chunk)) await once(stream, 'drain');
    stream.end();
    await finished(stream);
  } catch (error) {
    // The rows could not all be given (the caller's reader threw) or the server refused them:
    // end the COPY with CopyFail, wait for the connection to be ready, and report the first cause.
    if (!stream.destroyed) stream.destroy(error as Error);
    await finished(stream).catch(() => {});
    throw error;
  }
  return { command: 'COPY', rowCount: stream.rowCount, rows: [{ copied: stream.rowCount }] };
}

/**
 * A pg client class whose `query` runs copyInto's statements (and passes every other one on):
 * give it to pg.Pool as `Client`.
 */
export class CopyCapableClient extends pg.Client {
  override query(...args: unknown[]): never {
    const source = copySourceOf(args[1]);
    if (source && typeof args[0] === 'string') return copyPostgres(this, args[0], source) as never;
    return (super.query as (...a: unknown[]) => unknown)(...args) as never;
  }
}

/** Text per PGlite COPY statement: the chunk a blob holds at a time. */
const PGLITE_CHUNK_CHARS = 1 << 20;

type PgliteQueryable = Pick<Transaction, 'query'>;

/** The COPY on PGlite: `COPY … FROM '/dev/blob'`, one statement per chunk of about 1 MB of rows. */
async function copyPglite(db: PgliteQueryable, text: string, source: CopySource) {
  const statement = text.replace(/ from stdin$/, " from '/dev/blob'");
  let affectedRows = 0;
  let pending: string[] = [];
  let size = 0;
  const flush = async () => {
    if (size === 0) return;
    const result = await db.query(statement, [], { blob: new Blob(pending) });
    affectedRows += result.affectedRows ?? 0;
    pending = [];
    size = 0;
  };
  for await (const chunk of source.text) {
    pending.push(chunk);
    size += chunk.length;
    if (size >= PGLITE_CHUNK_CHARS) await flush();
  }
  await flush();
  return { rows: [{ copied: affectedRows }], affectedRows, fields: [] };
}

/** The PGlite instance (or one of its transactions) with copyInto's statements run as chunked COPYs. */
function withPgliteCopy<T extends PgliteQueryable>(target: T): T {
  return new Proxy(target, {
    get(t, prop) {
      if (prop === 'query')
        return (text: string, params?: unknown[], options?: object) => {
          const source = copySourceOf(params);
          return source ? copyPglite(t, text, source) : t.query(text, params, options);
        };
      if (prop === 'transaction' && 'transaction' in t)
        return <R>(callback: (tx: Transaction) => Promise<R>) =>
          (t as unknown as PGlite).transaction((tx) => callback(withPgliteCopy(tx)));
      const value = Reflect.get(t, prop, t);
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
}

/** The PGlite instance as Kysely's dialect should see it: copyInto's statements run as chunked COPYs. */
export function copyCapablePglite(pglite: PGlite): PGlite {
  return withPgliteCopy(pglite);
}
