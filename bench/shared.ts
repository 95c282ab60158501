/**
 * Helpers shared by the benchmark scripts (bench/seed.ts, bench/past-due-sweep.ts, bench/ar-status.ts). Not part
 * of the app.
 */
import { availableParallelism, loadavg } from 'node:os';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { type Config, loadConfig } from '../src/config.ts';
import type { Database } from '../src/db/schema.ts';

/** The one workspace every seeded row belongs to. */
export const TEAM_ID = 'T0BENCH';
/** The finance channel of that workspace: account threads live there. */
export const FINANCE_CHANNEL = 'C0FINANCE';
/** The database the scripts use when no --database is given. */
export const DEFAULT_DATABASE = 'arbridge_bench';
/** The admin connection (any existing database on the server); the bench database's name replaces its path. */
export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * The minimal environment the benchmarks build their config from: the policy (PAST_DUE_DAYS,
 * CREDIT_HOLD_DAYS, BUSINESS_TIMEZONE…) is the app's default, exactly as a fresh install runs it.
 */
export const BENCH_ENV: NodeJS.ProcessEnv = {
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_SIGNING_SECRET: 'x',
  FINANCE_CHANNEL_ID: FINANCE_CHANNEL,
  LOG_LEVEL: 'silent',
};

export function benchConfig(): Config {
  return loadConfig(BENCH_ENV);
}

/**
 * The connection URL of the bench database. Only names that say "bench" are accepted: the seed drops and
 * recreates the database, and the server is shared with the test suite.
 */
export function benchDatabaseUrl(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name) || !name.includes('bench')) {
    throw new UsageError(
      `--database must be a lower-case PostgreSQL name containing "bench" (got "${name}"): the seed drops it`,
    );
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A bad command-line argument: reported without a stack trace. */
export class UsageError extends Error {}

/** Runs `parse`; on a UsageError prints its message and exits 2. */
export function orExit<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}

/** Today's date in UTC, 'YYYY-MM-DD'. */
export function utcToday(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Validates a --today value. */
export function parseDay(value: string, flag = '--today'): string {
  const parsed = Date.parse(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(parsed) || addDays(value, 0) !== value) {
    throw new UsageError(`${flag} must be a date written YYYY-MM-DD (got "${value}")`);
  }
  return value;
}

/** `day` plus `days` (may be negative), as 'YYYY-MM-DD'. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The comment the seed leaves on the database, so the benchmarks know which day it is a steady state of. */
export function seedComment(today: string, accounts: number, invoices: number): string {
  return `ar-bridge bench seed: today=${today} accounts=${accounts} invoices=${invoices}`;
}

export function parseSeedComment(comment: string | null): { today: string } | null {
  const match = /today=(\d{4}-\d{2}-\d{2})/.exec(comment ?? '');
  return match?.[1] ? { today: match[1] } : null;
}

/** The day the connected database was seeded as the steady state of (from the seed's comment), or null. */
export async function seededDay(db: Kysely<Database>): Promise<string | null> {
  const { rows } = await sql<{ comment: string | null }>`
    select shobj_description(oid, 'pg_database') as comment from pg_database where datname = current_database()
  `.execute(db);
  return parseSeedComment(rows[0]?.comment ?? null)?.today ?? null;
}

/** Where a benchmark runs: "2 cores, load average 1.9 2.0 1.7; PostgreSQL 15.20". */
export async function machineAndServer(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ v: string }>`select split_part(version(), ' (', 1) as v`.execute(db);
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  return `${availableParallelism()} cores, load average ${load}; ${rows[0]?.v ?? 'PostgreSQL'}`;
}

/**
 * SQL for "the highest threshold an invoice `daysLate` days late has crossed" (0 when none):
 * `case when d >= 60 then 60 when d >= 45 then 45 … else 0 end`.
 */
export function crossedThreshold(
  daysLate: RawBuilder<unknown>,
  thresholds: readonly number[],
): RawBuilder<number> {
  const descending = [...thresholds].sort((a, b) => b - a);
  const whens = descending.map((t) => sql`when ${daysLate} >= ${sql.lit(t)} then ${sql.lit(t)}`);
  return sql<number>`(case ${sql.join(whens, sql` `)} else 0 end)`;
}

/**
 * SQL that picks one of `choices` by the share of each, given a uniform random value in [0, 1):
 * `case when r < 0.8 then 'USD' when r < 0.9 then 'EUR' … end`. Shares are normalised.
 */
export function pickByShare<T extends string | number>(
  r: RawBuilder<unknown>,
  choices: readonly (readonly [T, number])[],
): RawBuilder<T> {
  const total = choices.reduce((sum, [, share]) => sum + share, 0);
  let cumulative = 0;
  const whens = choices.slice(0, -1).map(([value, share]) => {
    cumulative += share / total;
    return sql`when ${r} < ${sql.lit(cumulative)} then ${sql.lit(value)}`;
  });
  const last = choices.at(-1);
  if (!last) throw new Error('pickByShare needs at least one choice');
  return sql<T>`(case ${sql.join(whens, sql` `)} else ${sql.lit(last[0])} end)`;
}

// ---------------------------------------------------------------------------------------------------------------
// Printing

const integer = new Intl.NumberFormat('en-US');

/** 1234567 → "1,234,567". */
export function fmt(n: number): string {
  return integer.format(n);
}

/** Milliseconds → "18 ms", "2.1 s", "1 min 4 s". */
export function duration(ms: number): string {
  if (ms < 1_000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

/** Bytes → "123 MB". */
export function bytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} kB`;
  return `${fmt(Math.round(n / (1024 * 1024)))} MB`;
}

/** Writes a line to stdout. */
export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Left-aligned label, right-aligned values: a readable table. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}
