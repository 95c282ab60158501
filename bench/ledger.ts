/**
 * npm run bench:ledger -- [--database arbridge_bench] [--calls 200] [--scale 10]
 *
 * AR's ledger headline (`loadLedgerHeadline`, src/db/status.ts) on the seeded database, then again with `--scale`
 * times as many open invoices: paid invoices are reopened in one UPDATE (the rollup's triggers fold them in, and
 * that statement is timed too), the headline timed, and everything rolled back. For comparison the aggregate it
 * replaced (a sum over every open invoice: `invoices_open_due_idx` covered it until migration
 * 2026-12-02T04-00-invoice-index-diet, it reads the heap now) is timed on both.
 * Prints p50/p95 per call, the rollup's size and the EXPLAIN of both queries.
 */
import { performance } from 'node:perf_hooks';
import { type Kysely, sql } from 'kysely';
import { parseCommandLine } from '../src/cli/args.ts';
import { openPostgres } from '../src/db/connect.ts';
import type { Database } from '../src/db/schema.ts';
import { loadLedgerHeadline } from '../src/db/status.ts';
import {
  benchDatabaseUrl,
  DEFAULT_DATABASE,
  duration,
  fmt,
  machineAndServer,
  orExit,
  say,
  seededDay,
  TEAM_ID,
  utcToday,
} from './shared.ts';

const USAGE = 'usage: npm run bench:ledger -- [--database NAME] [--calls 200] [--scale 10]';
const { values } = parseCommandLine(USAGE, {
  database: { type: 'string', default: DEFAULT_DATABASE },
  calls: { type: 'string', default: '200' },
  scale: { type: 'string', default: '10' },
});
const calls = Number(values.calls);
const scale = Number(values.scale);

/** What the headline computed per request before the rollup: every open invoice, summed by currency and age. */
const previousAggregate = (today: string) => sql`
  select currency, sum(balance_cents) as total,
    coalesce(sum(balance_cents) filter (where (${today}::date - due_on) <= 0), 0) as current,
    coalesce(sum(balance_cents) filter (where (${today}::date - due_on) between 1 and 30), 0) as d30,
    coalesce(sum(balance_cents) filter (where (${today}::date - due_on) between 31 and 60), 0) as d60,
    coalesce(sum(balance_cents) filter (where (${today}::date - due_on) between 61 and 90), 0) as d90,
    coalesce(sum(balance_cents) filter (where (${today}::date - due_on) > 90), 0) as d90plus,
    count(*) filter (where (${today}::date - due_on) > 0) as overdue,
    count(*) filter (where dispute_state = 'open') as disputes
  from invoices where team_id = ${TEAM_ID} and status = 'open' group by currency order by currency`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function time(label: string, n: number, call: () => Promise<unknown>): Promise<void> {
  await call();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  say(
    `  ${label.padEnd(44)} p50 ${duration(percentile(times, 50)).padStart(8)}   p95 ${duration(percentile(times, 95)).padStart(8)}`,
  );
}

async function explain(db: Kysely<Database>, label: string, query: ReturnType<typeof sql>): Promise<void> {
  const compiled = query.compile(db);
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': string }>({
    ...compiled,
    sql: `explain (analyze, buffers, costs off) ${compiled.sql}`,
  });
  say(`  ${label}:`);
  for (const r of rows) say(`      ${r['QUERY PLAN']}`);
}

async function measure(db: Kysely<Database>, today: string, label: string): Promise<void> {
  const { rows } = await sql<{ open: number; rollup: number }>`
    select (select count(*) from invoices where team_id = ${TEAM_ID} and status = 'open')::int as open,
      (select count(*) from ledger_rollup where team_id = ${TEAM_ID})::int as rollup`.execute(db);
  const sizes = rows[0] as { open: number; rollup: number };
  say(`\n${label}: ${fmt(sizes.open)} open invoices, ${fmt(sizes.rollup)} rollup rows`);
  await time('loadLedgerHeadline (rollup, one statement)', calls, () =>
    loadLedgerHeadline(db, TEAM_ID, today),
  );
  await time('the per-request aggregate it replaced', calls, () => previousAggregate(today).execute(db));
  const headline = sql`select currency, sum(open_cents), sum(open_count) filter (where due_on < ${today}::date)
    from ledger_rollup where team_id = ${TEAM_ID} group by currency`;
  await explain(db, 'the rollup (the headline statement reads it the same way)', headline);
  await explain(db, 'the aggregate it replaced', previousAggregate(today));
}

class Rollback extends Error {}

const handle = openPostgres(orExit(() => benchDatabaseUrl(values.database)));
try {
  const db = handle.db;
  const today = (await seededDay(db)) ?? utcToday();
  say(`ledger headline benchmark: ${values.database}, today ${today}; ${await machineAndServer(db)}`);
  await measure(db, today, 'As seeded');
  await db
    .transaction()
    .execute(async (trx) => {
      // Reopen paid invoices until there are `scale` times as many open ones.
      const started = performance.now();
      const { rows } = await sql<{ n: number }>`
        with reopened as (
          update invoices set status = 'open', balance_cents = amount_cents, paid_at = null
          where id in (
            select id from invoices where team_id = ${TEAM_ID} and status = 'paid'
            order by id limit (select (${scale - 1} * count(*))::int from invoices
              where team_id = ${TEAM_ID} and status = 'open'))
          returning 1)
        select count(*)::int as n from reopened`.execute(trx);
      say(
        `\nReopened ${fmt(rows[0]?.n ?? 0)} paid invoices in one UPDATE, the rollup's trigger included: ${duration(performance.now() - started)}`,
      );
      await sql`analyze invoices`.execute(trx);
      await sql`analyze ledger_rollup`.execute(trx);
      await measure(trx, today, `×${scale} open (rolled back afterwards)`);
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
} finally {
  await handle.close();
}
