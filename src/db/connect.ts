import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { CopyCapableClient, copyCapablePglite } from './copy.ts';
import { databaseErrorCode, isDatabaseUnavailable } from './errors.ts';
import type { Database } from './schema.ts';

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  close(): Promise<void>;
}

const INT8 = 20;
const DATE = 1082;
/** bigint columns hold minor units and counts: well inside Number's safe range. Dates stay strings. */
const parsers: Record<number, (value: string) => unknown> = { [INT8]: Number, [DATE]: (v) => v };

/** Connections the app's PostgreSQL pool holds at most. */
export const POSTGRES_POOL_SIZE = 10;

/**
 * `onIdleError` hears about connections that fail while idle in the pool (a database restart, an
 * administrator ending the session); the pool replaces them, so they must never crash the process.
 *
 * The pool keeps every connection it has opened (`min` = `max`) instead of closing it after an idle
 * spell: a new connection's first `/ar-status` plans and compiles the lookup again (27–42 ms
 * against 3 ms on a connection that has run it), so closing the connections the start-up warmed
 * (server.ts) after 30 quiet seconds made answers arriving together after a quiet spell cold
 * again (bench:status --quiet). TCP keep-alive keeps
 * firewalls and NAT from dropping them while they wait. `idleTimeoutMillis` then only matters to a
 * pool asked for fewer (tests shorten it to show that none is closed).
 */
export function openPostgres(
  connectionString: string,
  poolSize = POSTGRES_POOL_SIZE,
  onIdleError: (error: Error) => void = () => {},
  idleTimeoutMillis = 30_000,
): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    min: poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis,
    keepAlive: true,
    // Runs copyInto's COPY statements (src/db/copy.ts) besides every other query.
    Client: CopyCapableClient,
    types: {
      getTypeParser: (oid: number, format?: string) =>
        parsers[oid] ?? pg.types.getTypeParser(oid, format as 'text'),
    },
  });
  pool.on('error', onIdleError);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

export class DataDirLockedError extends Error {
  constructor(lockPath: string, holder: string) {
    super(
      `The embedded database in ${lockPath.replace(/[/\\][^/\\]+$/, '')} is already in use by another AR Bridge process (${holder}). ` +
        'Stop that process first, or give this one its own DATA_DIR, or set DATABASE_URL to share a PostgreSQL database between processes.',
    );
    this.name = 'DataDirLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One process per data directory: two PGlite instances on one directory silently lose writes.
 * The lock file names its holder; a holder that is no longer running (or is this very pid after a
 * container restart) is stale and taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = join(dataDir, 'ar-bridge.lock');
  const me = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, JSON.stringify(me), { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder: { pid?: number; host?: string; since?: string } = {};
      try {
        holder = JSON.parse(readFileSync(lockPath, 'utf8'));
      } catch {
        // unreadable: treat as stale
      }
      const stale =
        typeof holder.pid !== 'number' ||
        (holder.host === me.host && (holder.pid === process.pid || !isAlive(holder.pid)));
      if (!stale)
        throw new DataDirLockedError(lockPath, `pid ${holder.pid} on ${holder.host}, since ${holder.since}`);
      unlinkSync(lockPath);
    }
  }
  throw new DataDirLockedError(lockPath, 'unknown');
}

/**
 * PGlite's defaults size PostgreSQL for a server (128 MB of shared buffers, 64 MB per index
 * build), all of it resident in the WebAssembly heap once touched. One bot on one connection needs
 * far less: these keep the heap smaller (bench/pglite-footprint.ts measures it).
 */
const PGLITE_SETTINGS = ['shared_buffers=16MB', 'maintenance_work_mem=16MB', 'temp_buffers=4MB'];

export interface PgliteOptions {
  /** Persist under this directory (locked for this process). Omit for an in-memory database. */
  dataDir?: string;
  /** Start from a dumpDataDir() snapshot (tests). */
  loadDataDir?: Blob;
}

export async function openPglite(options: PgliteOptions = {}): Promise<DatabaseHandle & { pglite: PGlite }> {
  const release = options.dataDir ? lockDataDir(resolve(options.dataDir)) : () => {};
  try {
    const pglite = await PGlite.create({
      dataDir: options.dataDir ? join(resolve(options.dataDir), 'pgdata') : undefined,
      loadDataDir: options.loadDataDir,
      parsers,
      extensions: { pg_trgm },
      startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((s) => ['-c', s])],
    });
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite: copyCapablePglite(pglite) }) });
    return {
      db,
      pglite,
      kind: 'pglite',
      close: async () => {
        await db.destroy();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

export async function openDatabase(
  config: { DATABASE_URL?: string | undefined; DATA_DIR: string },
  onIdleError?: (error: Error) => void,
): Promise<DatabaseHandle> {
  return config.DATABASE_URL
    ? openPostgres(config.DATABASE_URL, POSTGRES_POOL_SIZE, onIdleError)
    : openPglite({ dataDir: config.DATA_DIR });
}

/** Whether the database answers (`select 1`), within `timeoutMs`; throws with the reason when not. */
export async function pingDatabase(db: Kysely<Database>, timeoutMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      sql`select 1`.execute(db),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`database did not answer within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The database could not be used at start-up; the message is one line saying what to check. */
export class DatabaseStartError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'DatabaseStartError';
  }
}

/** Where a postgres:// URL points, for messages: never its password. */
export function databaseTarget(url: string): { host: string; port: string; database: string; user: string } {
  try {
    const u = new URL(url);
    const user = decodeURIComponent(u.username) || 'postgres';
    return {
      host: u.hostname || 'localhost',
      port: u.port || '5432',
      database: decodeURIComponent(u.pathname.replace(/^\//, '')) || user,
      user,
    };
  } catch {
    return { host: 'localhost', port: '5432', database: '?', user: '?' };
  }
}

/** One line for a database that cannot be used: where it is, what went wrong, what to check. */
export function startProblem(url: string, error: unknown): string {
  const t = databaseTarget(url);
  const where = `PostgreSQL at ${t.host}:${t.port}`;
  const code = databaseErrorCode(error);
  if (code === '3D000')
    return `${where} has no database "${t.database}": create it (createdb -h ${t.host} -p ${t.port} ${t.database}) or correct the database name in DATABASE_URL.`;
  if (code === '28P01' || code === '28000')
    return `${where} refused user "${t.user}" for database "${t.database}": check the user name and password in DATABASE_URL.`;
  const reason = code === 'ECONNREFUSED' ? 'connection refused' : (error as Error)?.message || String(error);
  if (isDatabaseUnavailable(error))
    return `cannot reach ${where} (database "${t.database}"): ${reason}. Check that PostgreSQL is running and that DATABASE_URL names the right host and port.`;
  return `${where} (database "${t.database}") failed: ${reason}.`;
}

/** At start-up: the database answers, or DatabaseStartError says in one line what to check. */
export async function checkDatabase(handle: DatabaseHandle, url: string | undefined): Promise<void> {
  try {
    await pingDatabase(handle.db, 10_000);
  } catch (error) {
    throw new DatabaseStartError(
      url ? startProblem(url, error) : `the embedded database failed: ${(error as Error).message}`,
      error,
    );
  }
}
