/**
 * npm run bench:sweep -- [--database arbridge_bench] [--today YYYY-MM-DD] [--days 10]
 *
 * Times `runPastDueSweep` (src/jobs/past-due.ts) on a database seeded by `npm run bench:seed`:
 *   1. the size of the database and how many invoices are due for a ping today (the sweep's own predicate);
 *   2. EXPLAIN (ANALYZE, BUFFERS) of the sweep's candidate query and of its credit-hold crossing update;
 *   3. the first sweep of the day (pings what crossed a threshold since yesterday) and a second one right after
 *      (nothing left to do), with the time spent per kind of query;
 *   4. the same after the sweep missed `--days - 1` days (about `--days` times as many invoices newly due), on the
 *      same table: the cost follows the invoices that cross a threshold, not the size of the table.
 * Every sweep's changes (invoices, accounts, queued notifications) are undone afterwards, so the database stays
 * the seeded steady state and the benchmark can be run again. Nothing is sent to Slack.
 */
import { performance } from 'node:perf_hooks';
import { type CompiledQuery, sql } from 'kysely';
import { parseCommandLine } from '../src/cli/args.ts';
import { systemClock } from '../src/clock.ts';
import { openPostgres } from '../src/db/connect.ts';
import { pastHoldUpdate, pingCandidatesOf } from '../src/db/invoices.ts';
import { migrateOrThrow } from '../src/db/migrate.ts';
import { pingDecision } from '../src/domain/collections.ts';
import type { SweepDeps } from '../src/jobs/handoff-nags.ts';
import { runPastDueSweep } from '../src/jobs/past-due.ts';
import { createLogger } from '../src/log.ts';
import { singleWorkspace } from '../src/slack/workspaces.ts';
import { explain, indent, normalise, QueryStats, type StatementStats, shortSql } from './query-stats.ts';
import {
  addDays,
  benchConfig,
  benchDatabaseUrl,
  bytes,
  DEFAULT_DATABASE,
  duration,
  fmt,
  machineAndServer,
  orExit,
  parseDay,
  say,
  seededDay,
  TEAM_ID,
  table,
  utcToday,
} from './shared.ts';

const SWEEP_USAGE = 'usage: npm run bench:sweep -- [--database NAME] [--today YYYY-MM-DD] [--days N≥2]\n';
const { values } = parseCommandLine(SWEEP_USAGE, {
  database: { type: 'string', default: DEFAULT_DATABASE },
  today: { type: 'string' },
  days: { type: 'string', default: '10' },
});
const days = Number(values.days);
if (!Number.isSafeInteger(days) || days < 2) {
  process.stderr.write(SWEEP_USAGE);
  process.exit(2);
}
const database = values.database;
const config = benchConfig();

async function main(): Promise<void> {
  // A database seeded before the latest migrations gets them (indexes the sweep relies on).
  await migrateOrThrow(db);
  const seeded = await seededDay(db);
  const today = orExit(() => parseDay(values.today ?? seeded ?? utcToday()));
  say(
    `Past-due sweep benchmark: database ${database}, today ${today} (BUSINESS_TIMEZONE ${config.BUSINESS_TIMEZONE})`,
  );
  say(`Machine: ${await machineAndServer(db)}`);
  say(
    `Policy: PAST_DUE_DAYS ${config.PAST_DUE_DAYS.join(',')}, CREDIT_HOLD_DAYS ${config.CREDIT_HOLD_DAYS} (the defaults)`,
  );
  if (seeded && seeded !== today) {
    say(
      `WARNING: the database was seeded as the steady state of ${seeded}, not ${today}: ` +
        'a sweep will find every crossing in between.',
    );
  }
  const pending = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  if (Number(pending.n) > 0) {
    throw new Error(
      `${database} has ${pending.n} pending notifications: it is not a fresh seed (a benchmark was interrupted?). ` +
        'Run npm run bench:seed again.',
    );
  }

  // 1. Size
  say();
  say('== 1. Database ==');
  const later = addDays(today, days - 1);
  const dueToday = await dueFor(today);
  const dueLater = await dueFor(later);
  const size = await databaseSize(today);
  say(
    table([
      ['invoices', fmt(size.invoices)],
      ['  open', fmt(size.open)],
      ['  open and past due', fmt(size.overdue)],
      ['due for a ping today (the sweep predicate)', fmt(dueToday.candidates)],
      ['  of which: past-due pings', fmt(dueToday.pings)],
      ['            broken promises', fmt(dueToday.brokenPromises)],
      ['            read, nothing to send (promise holding)', fmt(dueToday.nothing)],
      ['invoices crossing CREDIT_HOLD_DAYS today', fmt(dueToday.holdCrossings)],
      ['invoices table (heap + indexes)', `${bytes(size.heapBytes)} + ${bytes(size.indexBytes)}`],
      ['  invoices_ping_idx', bytes(size.pingIndexBytes)],
      ['collection_updates, notifications (rows)', `${fmt(size.updates)}, ${fmt(size.notifications)}`],
    ]),
  );

  // 2. Plans
  say();
  say('== 2. Plans ==');
  const candidatePlan = await explain(db, candidateQuery(today).compile());
  say('Candidate query, as src/jobs/past-due.ts builds it (pingCandidates):');
  say(indent(candidateQuery(today).compile().sql));
  say('EXPLAIN (ANALYZE, BUFFERS):');
  say(indent(candidatePlan.join('\n')));
  say();
  say('Credit-hold crossing update, EXPLAIN (ANALYZE, BUFFERS) in a transaction rolled back:');
  const holdPlan = await explainInRolledBackTransaction(holdCrossingQuery(today).compile());
  say(indent(holdPlan.join('\n')));

  // 3. and 4. Timed sweeps
  const snapshot = await takeSnapshot();
  const runs: Run[] = [];
  try {
    // The bot sweeps every few minutes in a warm process: one untimed sweep first (then undone) warms up the
    // JIT, the connection pool and the caches, so that the first timed sweep is not also the first run ever.
    const t0 = performance.now();
    await runPastDueSweep(sweepDeps(), new Date(`${today}T12:00:00Z`));
    say();
    say(`(warm-up sweep, discarded: ${duration(performance.now() - t0)})`);
    await restore(snapshot);

    say();
    say(`== 3. Sweeps for ${today} ==`);
    runs.push(await timeSweeps(`${today} (1 day of crossings)`, today, dueToday));
    await restore(snapshot);

    say();
    say(`== 4. Sweeps for ${later}: the sweep missed ${days - 1} days, ${days} days of crossings at once ==`);
    runs.push(await timeSweeps(`${later} (${days} days of crossings)`, later, dueLater));
  } finally {
    await restore(snapshot);
  }

  // Side by side
  const [one, many] = runs as [Run, Run];
  say();
  say(
    `== Side by side: the same ${fmt(size.invoices)}-invoice table, ${days}× as many invoices newly due ==`,
  );
  const perPing = (r: Run) => (r.sent > 0 ? `${(r.first / r.sent).toFixed(2)} ms` : '-');
  say(
    table([
      ['', one.label, many.label],
      ['due (candidates)', fmt(one.due.candidates), fmt(many.due.candidates)],
      ['pings + broken promises sent', fmt(one.sent), fmt(many.sent)],
      ['credit holds put on', fmt(one.result.holds), fmt(many.result.holds)],
      ['first sweep', duration(one.first), duration(many.first)],
      [
        '  candidate queries',
        `${one.candidateQueries} in ${duration(one.candidateMs)}`,
        `${many.candidateQueries} in ${duration(many.candidateMs)}`,
      ],
      ['  per ping (wall)', perPing(one), perPing(many)],
      ['  pings per second', rate(one), rate(many)],
      ['second sweep (nothing to do)', duration(one.second), duration(many.second)],
    ]),
  );
  say();
  say(
    `past-due sweep on ${fmt(size.invoices)} invoices: ${fmt(one.sent)} pings in ${duration(one.first)}; ` +
      `second sweep ${duration(one.second)}; ${fmt(many.sent)} pings (${days} days due at once) in ${duration(many.first)}`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The sweep's queries, built by the same functions of src/db/invoices.ts (the benchmark checks that the query the
// sweep sends compiles to the same SQL).

/** The sweep's own candidate predicate (imported, so the bench cannot drift from it). */
function candidateBase(today: string) {
  return pingCandidatesOf(db, today, config.PAST_DUE_DAYS);
}

function candidateQuery(today: string) {
  return candidateBase(today).select('id');
}

/** The sweep's own crossing update (markPastHold's). */
function holdCrossingQuery(today: string) {
  return pastHoldUpdate(db, today, config.CREDIT_HOLD_DAYS);
}

// ---------------------------------------------------------------------------------------------------------------
// Counting what is due

interface Due {
  candidates: number;
  pings: number;
  brokenPromises: number;
  nothing: number;
  holdCrossings: number;
}

/** What a sweep on `day` will find: the candidates (same predicate), and what pingDecision makes of each. */
async function dueFor(day: string): Promise<Due> {
  const rows = await candidateBase(day)
    .select([
      'status',
      'balance_cents',
      'due_on',
      'dispute_state',
      'pinged_threshold',
      'promise_date',
      'promise_broken_pinged',
    ])
    .execute();
  let pings = 0;
  let brokenPromises = 0;
  for (const inv of rows) {
    const decision = pingDecision(
      {
        status: inv.status,
        balanceCents: inv.balance_cents,
        dueOn: inv.due_on,
        disputeState: inv.dispute_state,
        pingedThreshold: inv.pinged_threshold,
        promiseDate: inv.promise_date,
        promiseBrokenPinged: inv.promise_broken_pinged,
      },
      day,
      config.PAST_DUE_DAYS,
    );
    if (decision?.kind === 'past_due') pings += 1;
    if (decision?.kind === 'broken_promise') brokenPromises += 1;
  }
  const hold = await db
    .selectFrom('invoices')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'open')
    .where('past_hold', '=', false)
    .where('due_on', '<=', addDays(day, -config.CREDIT_HOLD_DAYS))
    .executeTakeFirstOrThrow();
  return {
    candidates: rows.length,
    pings,
    brokenPromises,
    nothing: rows.length - pings - brokenPromises,
    holdCrossings: Number(hold.n),
  };
}

async function databaseSize(today: string) {
  const { rows } = await sql<Record<string, string>>`
    select
      (select count(*) from invoices) as invoices,
      (select count(*) from invoices where status = 'open') as open,
      (select count(*) from invoices where status = 'open' and due_on < ${today}::date) as overdue,
      (select count(*) from collection_updates) as updates,
      (select count(*) from notifications) as notifications,
      pg_relation_size('invoices') as heap_bytes,
      pg_indexes_size('invoices') as index_bytes,
      pg_relation_size('invoices_ping_idx') as ping_index_bytes
  `.execute(db);
  const row = rows[0] ?? {};
  const n = (key: string) => Number(row[key] ?? 0);
  return {
    invoices: n('invoices'),
    open: n('open'),
    overdue: n('overdue'),
    updates: n('updates'),
    notifications: n('notifications'),
    heapBytes: n('heap_bytes'),
    indexBytes: n('index_bytes'),
    pingIndexBytes: n('ping_index_bytes'),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// EXPLAIN

class Rollback extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super('rollback');
    this.lines = lines;
  }
}

/** EXPLAIN ANALYZE runs the statement: an update is explained in a transaction that is rolled back. */
async function explainInRolledBackTransaction(query: CompiledQuery): Promise<string[]> {
  try {
    await db.transaction().execute(async (trx) => {
      throw new Rollback(await explain(trx, query));
    });
  } catch (error) {
    if (error instanceof Rollback) return error.lines;
    throw error;
  }
  return [];
}

// ---------------------------------------------------------------------------------------------------------------
// Timing sweeps

interface Run {
  label: string;
  due: Due;
  result: Awaited<ReturnType<typeof runPastDueSweep>>;
  sent: number;
  first: number;
  second: number;
  candidateQueries: number;
  candidateMs: number;
}

const BENCH_IDENTITY = { teamId: TEAM_ID, botUserId: 'U0BENCHBOT', botId: 'B0BENCH', teamUrl: null };

function sweepDeps(): SweepDeps {
  const logger = createLogger(config.LOG_LEVEL, false);
  return {
    db,
    config,
    logger,
    // Never called: every message goes to the outbox, which this benchmark does not deliver.
    workspaces: singleWorkspace(config, BENCH_IDENTITY, logger),
    notify: () => {},
    clock: systemClock,
  };
}

async function timeSweeps(label: string, day: string, due: Due): Promise<Run> {
  const deps = sweepDeps();
  const now = new Date(`${day}T12:00:00Z`);

  queryStats.reset();
  const t0 = performance.now();
  const result = await runPastDueSweep(deps, now);
  const first = performance.now() - t0;
  const firstStats = queryStats.take();

  queryStats.reset();
  const t1 = performance.now();
  const again = await runPastDueSweep(deps, now);
  const second = performance.now() - t1;
  const secondStats = queryStats.take();

  const sent = result.pinged + result.brokenPromises;
  const candidates = firstStats.find((s) => s.sql === normalise(candidateQuery(day).compile().sql));
  say(
    table([
      ['first sweep', duration(first)],
      ['  returned', JSON.stringify(result)],
      [
        '  expected (pingDecision on the candidates)',
        `pinged ${fmt(due.pings)}, brokenPromises ${fmt(due.brokenPromises)}`,
      ],
      ['  pings per second', rate({ sent, first })],
      ['second sweep', duration(second)],
      ['  returned', JSON.stringify(again)],
    ]),
  );
  if (result.pinged !== due.pings || result.brokenPromises !== due.brokenPromises) {
    say('WARNING: the sweep did not send what pingDecision says is due');
  }
  if (!candidates) {
    say(
      'WARNING: the sweep sent no query that compiles like candidateQuery(): keep bench/ in step with src/jobs/past-due.ts',
    );
  }
  say();
  say(
    'Where the first sweep spent its time (per distinct statement; BEGIN/COMMIT and JavaScript are the rest):',
  );
  say(statsTable(firstStats, first));
  say();
  say('Second sweep:');
  say(statsTable(secondStats, second));
  const perPingRead = mostExpensivePerPingRead(firstStats, day);
  if (perPingRead && explainSlowest) {
    explainSlowest = false;
    // Its slowest runs, run again: the one that is still slowest shows the plan's worst case (not a hiccup).
    let worst: { plan: string[]; ms: number; query: CompiledQuery } | undefined;
    for (const { query } of perPingRead.slowest) {
      const plan = await explain(db, query);
      const ms = Number(/Execution Time: ([\d.]+)/.exec(plan.join('\n'))?.[1] ?? 0);
      if (!worst || ms > worst.ms) worst = { plan, ms, query };
    }
    if (worst) {
      say();
      say(
        `The per-invoice read that costs the most in total (${fmt(perPingRead.count)} × ${(perPingRead.ms / perPingRead.count).toFixed(2)} ms): ` +
          `its worst case of the ${perPingRead.slowest.length} slowest runs, EXPLAIN (ANALYZE, BUFFERS):`,
      );
      say(indent(`${perPingRead.sql}  -- parameters ${JSON.stringify(worst.query.parameters)}`));
      say(indent(worst.plan.join('\n')));
    }
  }
  return {
    label,
    due,
    result,
    sent,
    first,
    second,
    candidateQueries: candidates?.count ?? 0,
    candidateMs: candidates?.ms ?? 0,
  };
}

let explainSlowest = true;

/** The read run once per invoice (not the candidate query, not a locking read) that takes the most time in all. */
function mostExpensivePerPingRead(stats: StatementStats[], day: string): StatementStats | undefined {
  const candidates = normalise(candidateQuery(day).compile().sql);
  return stats
    .filter(
      (s) =>
        s.sql.startsWith('select ') && !s.sql.includes(' for update') && s.sql !== candidates && s.count > 1,
    )
    .sort((a, b) => b.ms - a.ms)[0];
}

function rate(r: { sent: number; first: number }): string {
  return r.sent > 0 ? `${fmt(Math.round(r.sent / (r.first / 1_000)))} /s` : '-';
}

function statsTable(stats: StatementStats[], total: number): string {
  const queried = stats.reduce((sum, s) => sum + s.ms, 0);
  const rows = stats
    .sort((a, b) => b.ms - a.ms)
    .map((s) => [
      shortSql(s.sql, 90),
      `${fmt(s.count)} ×`,
      duration(s.ms),
      `${(s.ms / s.count).toFixed(2)} ms each`,
    ]);
  rows.push(['other (BEGIN/COMMIT, pool, JavaScript)', '', duration(Math.max(0, total - queried)), '']);
  return table(rows.map((r) => [`  ${r[0]}`, ...r.slice(1)]));
}

// ---------------------------------------------------------------------------------------------------------------
// Undoing a sweep: what it changes is invoices' ping/hold flags, accounts' credit hold, and new notifications

interface Snapshot {
  invoiceIds: number[];
  pinged: number[];
  pastHold: boolean[];
  brokenPinged: boolean[];
  accountIds: number[];
  creditHold: boolean[];
  creditHoldSince: (Date | null)[];
  creditHoldChanges: number[];
  accountUpdatedAt: Date[];
  maxNotificationId: number;
}

async function takeSnapshot(): Promise<Snapshot> {
  const invoices = await db
    .selectFrom('invoices')
    .select(['id', 'pinged_threshold', 'past_hold', 'promise_broken_pinged'])
    .where('status', '=', 'open')
    .execute();
  const accounts = await db
    .selectFrom('accounts')
    .select(['id', 'credit_hold', 'credit_hold_since', 'credit_hold_changes', 'updated_at'])
    .execute();
  const max = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirstOrThrow();
  return {
    invoiceIds: invoices.map((r) => r.id),
    pinged: invoices.map((r) => r.pinged_threshold),
    pastHold: invoices.map((r) => r.past_hold),
    brokenPinged: invoices.map((r) => r.promise_broken_pinged),
    accountIds: accounts.map((r) => r.id),
    creditHold: accounts.map((r) => r.credit_hold),
    creditHoldSince: accounts.map((r) => r.credit_hold_since),
    creditHoldChanges: accounts.map((r) => r.credit_hold_changes),
    accountUpdatedAt: accounts.map((r) => r.updated_at),
    maxNotificationId: max.id ?? 0,
  };
}

async function restore(s: Snapshot): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`
      update invoices i
      set pinged_threshold = s.pinged, past_hold = s.past_hold, promise_broken_pinged = s.broken_pinged
      from unnest(${s.invoiceIds}::int[], ${s.pinged}::int[], ${s.pastHold}::bool[], ${s.brokenPinged}::bool[])
        as s(id, pinged, past_hold, broken_pinged)
      where i.id = s.id
        and (i.pinged_threshold, i.past_hold, i.promise_broken_pinged) is distinct from (s.pinged, s.past_hold, s.broken_pinged)
    `.execute(trx);
    await sql`
      update accounts a
      set credit_hold = s.hold, credit_hold_since = s.since, credit_hold_changes = s.changes, updated_at = s.updated_at
      from unnest(${s.accountIds}::int[], ${s.creditHold}::bool[], ${s.creditHoldSince}::timestamptz[],
        ${s.creditHoldChanges}::int[], ${s.accountUpdatedAt}::timestamptz[]) as s(id, hold, since, changes, updated_at)
      where a.id = s.id and (a.credit_hold, a.credit_hold_changes) is distinct from (s.hold, s.changes)
    `.execute(trx);
    await trx.deleteFrom('notifications').where('id', '>', s.maxNotificationId).execute();
  });
  // Like the seed: vacuumed and analysed, so the next run sees the same table.
  await sql`vacuum (analyze) invoices, accounts, notifications`.execute(db);
}

// ---------------------------------------------------------------------------------------------------------------

// Classes are not hoisted: everything above is declared before it runs.
const handle = openPostgres(
  orExit(() => benchDatabaseUrl(database)),
  10,
);
/** Times every statement the sweeps send (see bench/query-stats.ts). */
const queryStats = new QueryStats({ slowestKept: 5 });
const db = handle.db.withPlugin(queryStats);
try {
  await main();
} finally {
  await handle.close();
}
