/**
 * npm run bench:seed -- [--accounts 10000] [--invoices 1000000] [--database arbridge_bench] [--today YYYY-MM-DD]
 *   [--distinct-words]
 *
 * Drops and recreates the bench database (BENCH_DATABASE_URL is the admin connection, default
 * postgres://postgres@127.0.0.1:5432/postgres; the database name replaces its path), migrates it, then fills it
 * with set-based SQL (insert … select … from generate_series) with one workspace in the steady state of a
 * long-running install as of `--today` (default: today's UTC date): as if every sweep had run up to and
 * including YESTERDAY. The same arguments give the same data (random() is seeded).
 *
 * The names are made of a few dozen words ("North Globex Logistics 3"); with `--distinct-words`, each also starts
 * with a made-up word of its own ("Kelomabi North Globex Logistics 3"), so that the names' vocabulary is as large
 * as a real customer list's (tens of thousands of distinct words at 100,000 accounts).
 */
import { performance } from 'node:perf_hooks';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { parseCommandLine } from '../src/cli/args.ts';
import { nameKey } from '../src/db/accounts.ts';
import { openPostgres } from '../src/db/connect.ts';
import { migrateOrThrow } from '../src/db/migrate.ts';
import type { Database } from '../src/db/schema.ts';
import {
  ADMIN_URL,
  addDays,
  benchConfig,
  benchDatabaseUrl,
  crossedThreshold,
  DEFAULT_DATABASE,
  duration,
  FINANCE_CHANNEL,
  fmt,
  orExit,
  parseDay,
  pickByShare,
  say,
  seedComment,
  TEAM_ID,
  table,
  utcToday,
} from './shared.ts';

// ---------------------------------------------------------------------------------------------------------------
// Data-generation parameters. Shares are fractions of the population named in the comment.

/** Seed of PostgreSQL's random(): the same arguments always give the same database. */
const RANDOM_SEED = 0.4242;

/** People: U0BENCH0001…; every MANAGER_EVERY-th is a manager, the others are reps. */
const PEOPLE = 200;
const MANAGER_EVERY = 20;
/** Share of reps who report to a manager (the manager of their block of MANAGER_EVERY). */
const REPS_WITH_MANAGER = 0.8;
/** AR staff (role 'ar'): U0BENCHA001…; they author the collection updates. */
const AR_STAFF = 4;
/** Slack time zones of people, picked uniformly. */
const TIME_ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Berlin',
  'Asia/Tokyo',
  'Australia/Sydney',
];
const FIRST_NAMES = ['Ana', 'Ben', 'Chloé', 'Dev', 'Emma', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kofi'];
const LAST_NAMES = ['Okafor', 'Schmidt', 'Tanaka', 'García', 'Nguyen', 'Brown', 'Rossi', 'Kowalski', 'Silva'];

/** Account names: [qualifier] core suffix [n], e.g. "North Globex Logistics", "Initech GmbH 3". */
const NAME_QUALIFIERS = [
  '',
  '',
  '',
  'North',
  'Pacific',
  'United',
  'Blue',
  'First',
  'Global',
  'Bright',
  'Summit',
];
/** [display name, ASCII slug for the domain]. */
const NAME_CORES: readonly (readonly [string, string])[] = [
  ['Acme', 'acme'],
  ['Globex', 'globex'],
  ['Initech', 'initech'],
  ['Umbrella', 'umbrella'],
  ['Hooli', 'hooli'],
  ['Stark', 'stark'],
  ['Wayne', 'wayne'],
  ['Tyrell', 'tyrell'],
  ['Soylent', 'soylent'],
  ['Cyberdyne', 'cyberdyne'],
  ['Wonka', 'wonka'],
  ['Vandelay', 'vandelay'],
  ['Massive Dynamic', 'massivedynamic'],
  ['Aperture', 'aperture'],
  ['Oscorp', 'oscorp'],
  ['Pied Piper', 'piedpiper'],
  ['Dunder Mifflin', 'dundermifflin'],
  ['Gringotts', 'gringotts'],
  ['Nakatomi', 'nakatomi'],
  ['Monarch', 'monarch'],
  ['Sirius', 'sirius'],
  ['Zorg', 'zorg'],
  ['Blue Sun', 'bluesun'],
  ['Weyland', 'weyland'],
  ['Krusty', 'krusty'],
  ['Bluth', 'bluth'],
  ['Prestige', 'prestige'],
  ['Müller', 'mueller'],
  ['Société Lumière', 'societelumiere'],
  ['Nordström', 'nordstroem'],
  ['Açaí', 'acai'],
  ['Halcyon', 'halcyon'],
  ['Vertex', 'vertex'],
  ['Quantum', 'quantum'],
  ['Helios', 'helios'],
  ['Orion', 'orion'],
  ['Kestrel', 'kestrel'],
  ['Juniper', 'juniper'],
  ['Lumen', 'lumen'],
  ['Tidewater', 'tidewater'],
];
const NAME_SUFFIXES = [
  'Holdings',
  'Labs',
  'GmbH',
  'Inc.',
  'Ltd',
  'LLC',
  'Group',
  'Systems',
  'Logistics',
  'Foods',
  'Partners',
  'S.A.',
  'AG',
  'KK',
  'Pty Ltd',
  'BV',
  'Industries',
  'Health',
  'Retail',
  'Energy',
];
const TLDS = ['.com', '.com', '.com', '.io', '.de', '.co.uk', '.fr', '.co.jp'];
/** One account in NAME_SPACING_QUIRK_EVERY is written with a double space (name_key collapses it). */
const NAME_SPACING_QUIRK_EVERY = 37;
/** Share of accounts with a domain, an owning rep, a credit limit. */
const ACCOUNTS_WITH_DOMAIN = 0.85;
const ACCOUNTS_WITH_OWNER = 0.97;
const ACCOUNTS_WITH_CREDIT_LIMIT = 0.3;
/** Credit limits, in major units of the account's currency (JPY: ×150), uniform in this range. */
const CREDIT_LIMIT_RANGE = [25_000, 500_000] as const;
/** The billing currency of an account (all its invoices and its credit limit use it). */
const CURRENCY_MIX: readonly (readonly [string, number])[] = [
  ['USD', 0.8],
  ['EUR', 0.1],
  ['GBP', 0.07],
  ['JPY', 0.03],
];

/** Deals: this share of accounts have 1…MAX_DEALS_PER_ACCOUNT closed-won deals, closed in the last DEAL_HISTORY_DAYS. */
const ACCOUNTS_WITH_DEALS = 0.4;
const MAX_DEALS_PER_ACCOUNT = 3;
const DEAL_HISTORY_DAYS = 730;
/** Of the deals: share with a submitted handoff, and of those, share complete. */
const DEALS_WITH_HANDOFF = 0.9;
const HANDOFFS_COMPLETE = 0.85;

/**
 * Invoices by kind, as shares of all invoices: paid, void, open and not yet due ("current"), open and past due.
 * About 900 invoices are issued a day over INVOICE_HISTORY_DAYS; most are paid.
 */
const INVOICE_MIX: readonly (readonly [InvoiceKind, number])[] = [
  ['paid', 0.93],
  ['void', 0.01],
  ['current', 0.03],
  ['overdue', 0.03],
];
type InvoiceKind = 'paid' | 'void' | 'current' | 'overdue';
/** Invoices are spread over accounts with this skew (1 = uniform; larger = a few big customers). */
const ACCOUNT_SKEW = 1.6;
/** Payment terms in days (0 = due on receipt). */
const TERMS_MIX: readonly (readonly [number, number])[] = [
  [0, 0.05],
  [15, 0.1],
  [30, 0.65],
  [45, 0.1],
  [60, 0.1],
];
/**
 * Terms of the invoices not yet due: an invoice with T days of terms is "current" for T + 1 days, so among
 * current invoices terms are weighted by T + 1 (otherwise every due-on-receipt invoice would be due today).
 */
const CURRENT_TERMS_MIX = TERMS_MIX.map(([days, share]) => [days, share * (days + 1)] as const);
/** Due dates of paid and void invoices go back this far. */
const INVOICE_HISTORY_DAYS = 1_095;
/** When paid invoices were paid: [share, days after due from, to] (negative: early). */
const PAYMENT_DELAYS: readonly (readonly [number, number, number])[] = [
  [0.6, -10, 0],
  [0.33, 1, 30],
  [0.07, 31, 150],
];
/**
 * Days late of open past-due invoices: mostly recent (exponential, mean OVERDUE_MEAN_DAYS), with a long
 * uniform tail (OVERDUE_TAIL share) so that every age 1…OVERDUE_MAX_DAYS is present.
 */
const OVERDUE_MEAN_DAYS = 30;
const OVERDUE_TAIL = 0.1;
const OVERDUE_MAX_DAYS = 400;
/** Amounts: log-uniform between these, in USD cents (EUR/GBP the same figures, JPY ×1.5 in yen). */
const AMOUNT_CENTS_RANGE = [30_000, 10_000_000] as const;
/** Share of open invoices partly paid (balance 20–90% of the amount). */
const OPEN_PARTLY_PAID = 0.1;
/** Open disputes, as shares of current and of past-due invoices; resolved disputes of past-due and paid ones. */
const DISPUTED_CURRENT = 0.01;
const DISPUTED_OVERDUE = 0.04;
const RESOLVED_OVERDUE = 0.02;
const RESOLVED_PAID = 0.01;
/**
 * Promises to pay, as a share of past-due invoices (at least 2 days late, not in dispute): made up to
 * PROMISE_MADE_WITHIN days before yesterday, for a day PROMISE_DAYS later. Pings pause while a promise holds, so
 * those invoices keep the threshold they had when the promise was made; a promise that broke before yesterday was
 * already pinged; one whose day was yesterday is pinged today.
 */
const PROMISED_OVERDUE = 0.06;
const PROMISE_MADE_WITHIN = 45;
const PROMISE_DAYS = [7, 30] as const;

/** Collection updates: the payment of every paid invoice (as the invoices API or CSV re-import logs it), … */
const PAYMENTS_LOGGED = 1;
/** … a "reminder sent" on this share of past-due invoices, AR notes per account with a thread (0…max). */
const REMINDED_OVERDUE = 0.4;
const MAX_NOTES_PER_ACCOUNT = 3;
const DISPUTE_REASONS = [
  'pricing_error',
  'discount_missing_or_wrong',
  'po_missing_or_wrong',
  'wrong_billing_entity_or_contact',
  'goods_or_service_issue',
  'duplicate_invoice',
  'terms_disagreement',
  'invoice_not_received',
  'other',
];

// ---------------------------------------------------------------------------------------------------------------

const SEED_USAGE =
  'usage: npm run bench:seed -- [--accounts N] [--invoices N] [--database NAME] [--today YYYY-MM-DD]\n' +
  '  [--distinct-words]\n';
const { values } = parseCommandLine(SEED_USAGE, {
  accounts: { type: 'string', default: '10000' },
  invoices: { type: 'string', default: '1000000' },
  database: { type: 'string', default: DEFAULT_DATABASE },
  today: { type: 'string' },
  'distinct-words': { type: 'boolean', default: false },
});
const distinctWords = values['distinct-words'];
const accounts = Number(values.accounts);
const invoices = Number(values.invoices);
if (!Number.isSafeInteger(accounts) || accounts < 1 || !Number.isSafeInteger(invoices) || invoices < 1) {
  process.stderr.write(SEED_USAGE);
  process.exit(2);
}
const database = values.database;
const today = orExit(() => parseDay(values.today ?? utcToday()));
const yesterday = addDays(today, -1);
const targetUrl = orExit(() => benchDatabaseUrl(database));
const config = benchConfig();
const thresholds = config.PAST_DUE_DAYS;
const holdDays = config.CREDIT_HOLD_DAYS;

const started = performance.now();
async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await work();
  const ms = performance.now() - t0;
  say(`  ${label.padEnd(44)} ${duration(ms).padStart(9)}`);
  return result;
}

say(`Seeding ${database} as of ${today}: ${fmt(accounts)} accounts, ${fmt(invoices)} invoices`);

const admin = openPostgres(ADMIN_URL, 1);
try {
  await step('drop and create the database', async () => {
    await sql`drop database if exists ${sql.id(database)} with (force)`.execute(admin.db);
    await sql`create database ${sql.id(database)}`.execute(admin.db);
    await sql`comment on database ${sql.id(database)} is ${sql.lit(seedComment(today, accounts, invoices))}`.execute(
      admin.db,
    );
  });
} finally {
  await admin.close();
}

// One connection: setseed() and the session settings below hold for every statement.
const handle = openPostgres(targetUrl, 1);
const db = handle.db;
try {
  await step('migrate', () => migrateOrThrow(db));
  await sql`set synchronous_commit = off`.execute(db);
  await sql`set work_mem = '256MB'`.execute(db);
  await sql`set maintenance_work_mem = '512MB'`.execute(db);
  await sql`select setseed(${RANDOM_SEED})`.execute(db);
  // Foreign keys are not checked row by row while seeding (that is a third of the time); checkReferences
  // verifies them all at the end, set-based.
  await sql`set session_replication_role = replica`.execute(db);

  await step('people', () => seedPeople(db));
  await step('accounts', () => seedAccounts(db));
  await step('deals and handoffs', () => seedDeals(db));
  await step('invoices', () => seedInvoices(db));
  await step('collection updates', () => seedCollectionUpdates(db));
  await step('account threads, credit holds, sent notifications', () => seedSteadyState(db));
  await sql`reset session_replication_role`.execute(db);
  await step('ledger rollup, counters and name words', () => fillTriggerTables(db));
  await step('check foreign keys', () => checkReferences(db));
  await step('vacuum analyze', async () => {
    await sql`vacuum (analyze)`.execute(db);
  });
  await step('check name_key against nameKey()', () => checkNameKeys(db));
  const seconds = performance.now() - started;
  say();
  await printCounts(db);
  say();
  say(`Seeded ${fmt(invoices)} invoices and ${fmt(accounts)} accounts in ${duration(seconds)}.`);
} finally {
  await handle.close();
}

// ---------------------------------------------------------------------------------------------------------------

function personId(n: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`('U0BENCH' || lpad((${n})::text, 4, '0'))`;
}

/** A rep (never a manager) picked at random. */
function randomRep(): RawBuilder<string> {
  const n = sql`(1 + floor(random() * ${PEOPLE})::int)`;
  return personId(sql`(case when ${n} % ${MANAGER_EVERY} = 1 then 2 else ${n} end)`);
}

function randomArStaff(): RawBuilder<string> {
  return sql<string>`('U0BENCHA' || lpad((1 + floor(random() * ${AR_STAFF})::int)::text, 3, '0'))`;
}

/** The billing currency of account `id` (deterministic, so that invoices and credit limit agree). */
function currencyOf(accountId: RawBuilder<unknown>): RawBuilder<string> {
  return pickByShare(sql`(((${accountId})::bigint * 37) % 100) / 100.0`, CURRENCY_MIX);
}

/** Minor units for an amount given in USD cents: the same figure in EUR/GBP, ×1.5 in yen. */
function inCurrency(usdCents: RawBuilder<unknown>, currency: RawBuilder<unknown>): RawBuilder<number> {
  return sql<number>`(case when ${currency} = 'JPY' then round((${usdCents}) * 1.5) else round(${usdCents}) end)::bigint`;
}

async function seedPeople(db: Kysely<Database>): Promise<void> {
  await sql`
    insert into people (team_id, user_id, email, name, role, manager_user_id, tz, tz_checked_at)
    select ${TEAM_ID}, ${personId(sql`g`)}, 'rep' || lpad(g::text, 4, '0') || '@bench.example.com',
      (${FIRST_NAMES}::text[])[1 + (g * 7) % cardinality(${FIRST_NAMES}::text[])] || ' ' ||
        (${LAST_NAMES}::text[])[1 + (g * 5) % cardinality(${LAST_NAMES}::text[])],
      case when g % ${MANAGER_EVERY} = 1 then 'manager' else 'rep' end,
      case when g % ${MANAGER_EVERY} <> 1 and random() < ${REPS_WITH_MANAGER}
        then ${personId(sql`g - (g - 1) % ${MANAGER_EVERY}`)} end,
      (${TIME_ZONES}::text[])[1 + floor(random() * cardinality(${TIME_ZONES}::text[]))::int],
      now() - random() * interval '30 days'
    from generate_series(1, ${PEOPLE}) g
  `.execute(db);
  await sql`
    insert into people (team_id, user_id, email, name, role, tz, tz_checked_at)
    select ${TEAM_ID}, 'U0BENCHA' || lpad(g::text, 3, '0'), 'ar' || g || '@bench.example.com',
      'AR ' || (${LAST_NAMES}::text[])[1 + g % cardinality(${LAST_NAMES}::text[])], 'ar', 'Europe/London', now()
    from generate_series(1, ${AR_STAFF}) g
  `.execute(db);
}

async function seedAccounts(db: Kysely<Database>): Promise<void> {
  const cores = NAME_CORES.map(([name]) => name);
  const slugs = NAME_CORES.map(([, slug]) => slug);
  const combos = NAME_QUALIFIERS.length * NAME_CORES.length * NAME_SUFFIXES.length;
  // A stride coprime with the number of combinations walks through all of them in a scrambled order.
  let stride = 7_919;
  while (gcd(stride, combos) !== 1) stride += 2;
  await sql`
    insert into accounts (team_id, crm_id, name, name_key, domain, owner_user_id, credit_limit_cents,
      credit_limit_currency, created_at, updated_at)
    with parts as (
      select g, (((g - 1)::bigint * ${stride}) % ${combos})::int as combo, (g - 1) / ${combos} as round,
        random() as r_domain, random() as r_owner, random() as r_limit, random() as r_limit2, random() as r_created
      from generate_series(1, ${accounts}) g
    ), named as (
      select *,
        (${NAME_QUALIFIERS}::text[])[1 + combo % ${NAME_QUALIFIERS.length}] as qualifier,
        (${cores}::text[])[1 + (combo / ${NAME_QUALIFIERS.length}) % ${NAME_CORES.length}] as core,
        (${slugs}::text[])[1 + (combo / ${NAME_QUALIFIERS.length}) % ${NAME_CORES.length}] as slug,
        (${NAME_SUFFIXES}::text[])[1 + combo / (${NAME_QUALIFIERS.length * NAME_CORES.length})] as suffix
      from parts
    ), full_name as (
      select *,
        ltrim(own_word || ' ' || ltrim(qualifier || ' ' || core || ' ' || suffix ||
          case when round > 0 then ' ' || (round + 1) else '' end)) as clean_name
      from named cross join lateral (
        -- --distinct-words: three to five syllables from the bits of the account number's hash.
        select case when ${distinctWords} then initcap(string_agg(
            substr('bcdfghjklmnprstvwz', 1 + ((h >> (i * 5)) % 18)::int, 1) ||
            substr('aeiouy', 1 + ((h >> (i * 5 + 3)) % 6)::int, 1), '' order by i)) else '' end as own_word
        from (select ('x' || substr(md5(g::text), 1, 15))::bit(60)::bigint as h) as hashed,
          generate_series(0, 2 + (h % 3)::int) as i
      ) as own
    ), quirky as (
      select *,
        case when g % ${NAME_SPACING_QUIRK_EVERY} = 0 then regexp_replace(clean_name, ' ', '  ') else clean_name end
          as name
      from full_name
    )
    select ${TEAM_ID}, 'CRM-ACC-' || lpad(g::text, 6, '0'), name,
      btrim(regexp_replace(lower(normalize(name, NFKC)), '\\s+', ' ', 'g')),
      case when r_domain < ${ACCOUNTS_WITH_DOMAIN} then
        ltrim(lower(qualifier) || '-', '-') || slug || case when round > 0 then (round + 1)::text else '' end ||
        (${TLDS}::text[])[1 + g % cardinality(${TLDS}::text[])]
      end,
      case when r_owner < ${ACCOUNTS_WITH_OWNER} then ${randomRep()} end,
      case when r_limit < ${ACCOUNTS_WITH_CREDIT_LIMIT} then
        ${inCurrency(
          sql`(${CREDIT_LIMIT_RANGE[0]} + floor(r_limit2 * ${CREDIT_LIMIT_RANGE[1] - CREDIT_LIMIT_RANGE[0]})) * 100`,
          currencyOf(sql`g`),
        )}
      end,
      case when r_limit < ${ACCOUNTS_WITH_CREDIT_LIMIT} then ${currencyOf(sql`g`)} end,
      ${today}::date - (r_created * ${INVOICE_HISTORY_DAYS + 60})::int + time '10:00',
      ${today}::date - (r_created * ${INVOICE_HISTORY_DAYS + 60})::int + time '10:00'
    from quirky
    order by g
  `.execute(db);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

async function seedDeals(db: Kysely<Database>): Promise<void> {
  const dealKinds = ['New business', 'Expansion', 'Renewal', 'Upsell', 'Pilot'];
  await sql`
    insert into deals (team_id, crm_id, account_id, name, amount_cents, currency, closed_at, owner_user_id,
      source, created_at)
    select ${TEAM_ID}, 'CRM-DEAL-' || lpad(a.id::text, 6, '0') || '-' || k, a.id,
      a.name || ' – ' || (${dealKinds}::text[])[1 + (a.id + k) % cardinality(${dealKinds}::text[])],
      ${inCurrency(sql`round(power(10, 6 + random() * 2))`, currencyOf(sql`a.id`))},
      ${currencyOf(sql`a.id`)},
      c.closed_at, a.owner_user_id,
      case when (a.id + k) % 4 = 0 then 'slack' else 'webhook' end,
      c.closed_at
    from accounts a
    cross join lateral generate_series(1, 1 + (a.id * 7) % ${MAX_DEALS_PER_ACCOUNT}) k
    cross join lateral (
      select (${today}::date + time '12:00' - (random() * ${DEAL_HISTORY_DAYS} + a.id * 0) * interval '1 day')
        at time zone 'UTC' as closed_at
    ) c
    where (a.id * 53) % 100 < ${Math.round(ACCOUNTS_WITH_DEALS * 100)}
  `.execute(db);
  await sql`
    insert into handoffs (deal_id, team_id, fields, complete, version, submitted_by, submitted_at, completed_at)
    select d.id, d.team_id,
      jsonb_build_object(
        'legalEntity', a.name, 'billingAddress', case when h.complete then (d.id % 900 + 100) || ' Market Street' end,
        'apContactName', 'Accounts Payable', 'apContactEmail', case when h.complete then 'ap@' || coalesce(a.domain, 'example.com') end,
        'apContactPhone', null, 'signerIsPayer', d.id % 3 = 0, 'paymentTerms', 'net_30', 'customTermsDays', null,
        'poRequired', d.id % 4 = 0, 'poNumber', case when d.id % 4 = 0 then 'PO-' || d.id end,
        'deliveryMethod', 'email', 'portalName', null, 'portalUrl', null, 'portalSupplierId', null,
        'senderAllowlisted', d.id % 2 = 0, 'hasSpecialTerms', false, 'specialTerms', null,
        'firstInvoiceDate', to_char(d.closed_at + interval '7 days', 'YYYY-MM-DD'), 'billingFrequency', 'monthly',
        'taxExempt', false, 'taxCertificateOnFile', null, 'currency', d.currency, 'financeNotes', null),
      h.complete, 1 + d.id % 3, coalesce(d.owner_user_id, ${personId(sql`2`)}),
      d.closed_at + interval '3 hours', case when h.complete then d.closed_at + interval '3 hours' end
    from deals d
    join accounts a on a.id = d.account_id
    cross join lateral (select random() + d.id * 0 < ${HANDOFFS_COMPLETE}::float8 as complete, random() as r_has) h
    where h.r_has < ${DEALS_WITH_HANDOFF}
  `.execute(db);
  // Reminder state as the nag sweep leaves it (default policy: first after a day, daily, 3, then escalate).
  await sql`
    update deals d set
      nags_sent = least(3, greatest(0, ${today}::date - d.closed_at::date - 1)),
      last_nag_at = case when ${today}::date - d.closed_at::date > 1
        then d.closed_at + least(3, ${today}::date - d.closed_at::date - 1) * interval '1 day' end,
      nag_escalated_at = case when ${today}::date - d.closed_at::date > 4 then d.closed_at + interval '4 days' end
    where d.owner_user_id is not null
      and not exists (select 1 from handoffs h where h.deal_id = d.id and h.complete)
  `.execute(db);
}

async function seedInvoices(db: Kysely<Database>): Promise<void> {
  const todayDate = sql`${today}::date`;
  const delay = sql.join(
    PAYMENT_DELAYS.map(([, from, to], i) => {
      const upTo = PAYMENT_DELAYS.slice(0, i + 1).reduce((sum, [share]) => sum + share, 0);
      return sql`when r_pay < ${sql.lit(upTo)} then ${sql.lit(from)} + floor(r_pay2 * ${sql.lit(to - from + 1)})`;
    }),
    sql` `,
  );
  const [amountLow, amountHigh] = AMOUNT_CENTS_RANGE.map(Math.log10) as [number, number];
  await sql`
    insert into invoices (team_id, number, account_id, amount_cents, balance_cents, currency, issued_on, due_on,
      status, dispute_state, pinged_threshold, promise_date, promise_broken_pinged, past_hold, paid_at,
      created_at, updated_at)
    with r as (
      select g,
        1 + least(${accounts - 1}, floor(power(random(), ${ACCOUNT_SKEW}) * ${accounts}))::int as account_id,
        random() as r_kind, random() as r_age, random() as r_shape, random() as r_amt, random() as r_terms,
        random() as r_pay, random() as r_pay2, random() as r_disp, random() as r_prom, random() as r_prom2,
        random() as r_prom3
      from generate_series(1, ${invoices}) g
    ), k as (
      select *,
        ${pickByShare(sql`r_kind`, INVOICE_MIX)} as kind,
        (case when r_shape < ${OVERDUE_TAIL} then 1 + floor(r_age * ${OVERDUE_MAX_DAYS})
          else least(${OVERDUE_MAX_DAYS}, 1 + floor(-ln(1 - r_age) * ${OVERDUE_MEAN_DAYS})) end)::int as age,
        ${currencyOf(sql`account_id`)} as currency
      from r
    ), t as (
      select *,
        (case when kind = 'current' then ${pickByShare(sql`r_terms`, CURRENT_TERMS_MIX)}
          else ${pickByShare(sql`r_terms`, TERMS_MIX)} end)::int as terms
      from k
    ), d as (
      select *,
        case kind
          when 'overdue' then ${todayDate} - age
          when 'current' then ${todayDate} - floor(r_age * (terms + 1))::int + terms
          else ${todayDate} + 15 - floor(r_age * ${INVOICE_HISTORY_DAYS})::int
        end as due_on,
        ${inCurrency(sql`power(10, ${amountLow} + r_amt * ${amountHigh - amountLow})`, sql`currency`)} as amount
      from t
    ), e as (
      select *, due_on - terms as issued_on,
        case when kind = 'paid' then
          greatest(due_on - terms, least(${todayDate}, due_on + (case ${delay} else 0 end)::int))
        end as paid_on,
        case
          when kind = 'current' and r_disp < ${DISPUTED_CURRENT} then 'open'
          when kind = 'overdue' and r_disp < ${DISPUTED_OVERDUE} then 'open'
          when kind = 'overdue' and r_disp < ${DISPUTED_OVERDUE + RESOLVED_OVERDUE} then 'resolved'
          when kind = 'paid' and r_disp < ${RESOLVED_PAID} then 'resolved'
          else 'none'
        end as dispute_state
      from d
    ), f as (
      select *,
        (kind = 'overdue' and dispute_state <> 'open' and age >= 2 and r_prom < ${PROMISED_OVERDUE}) as promised,
        greatest(1, age - 1 - floor(r_prom2 * ${PROMISE_MADE_WITHIN})::int) as age_at_promise
      from e
    ), p as (
      select *,
        case when promised then
          due_on + age_at_promise + ${PROMISE_DAYS[0]}::int + floor(r_prom3 * ${PROMISE_DAYS[1] - PROMISE_DAYS[0] + 1})::int
        end as promise_date
      from f
    )
    select ${TEAM_ID},
      'INV-' || to_char(issued_on, 'YYYY') || '-' || lpad(row_number() over (order by issued_on, g)::text, 7, '0'),
      account_id, amount,
      case
        when kind in ('paid', 'void') then 0
        when r_pay < ${OPEN_PARTLY_PAID} then greatest(1, round(amount * (0.2 + 0.7 * r_pay2)))::bigint
        else amount
      end,
      currency, issued_on, due_on,
      case when kind in ('paid', 'void') then kind else 'open' end,
      dispute_state,
      case
        when kind = 'paid' then ${crossedThreshold(sql`paid_on - due_on - 1`, thresholds)}
        when kind <> 'overdue' then 0
        when dispute_state = 'open' then
          ${crossedThreshold(sql`greatest(0, age - 1 - floor(r_prom2 * 30)::int)`, thresholds)}
        when promised and promise_date >= ${yesterday}::date then ${crossedThreshold(sql`age_at_promise`, thresholds)}
        else ${crossedThreshold(sql`age - 1`, thresholds)}
      end,
      promise_date,
      coalesce(promised and promise_date < ${yesterday}::date, false),
      case
        when kind = 'overdue' then age - 1 >= ${holdDays}
        when kind = 'paid' then paid_on - due_on - 1 >= ${holdDays}
        else false
      end,
      case when kind = 'paid' then (paid_on + time '09:00' + r_pay2 * interval '9 hours') at time zone 'UTC' end,
      (issued_on + time '08:00') at time zone 'UTC',
      coalesce((paid_on + time '09:00' + r_pay2 * interval '9 hours') at time zone 'UTC',
        (issued_on + time '08:00') at time zone 'UTC')
    from p
    order by issued_on, g
  `.execute(db);
}

async function seedCollectionUpdates(db: Kysely<Database>): Promise<void> {
  // Payments, as the invoices API / CSV re-import logs them.
  await sql`
    insert into collection_updates (team_id, account_id, invoice_id, author_user_id, kind, amount_cents, created_at)
    select team_id, account_id, id, null, 'payment_received', amount_cents, paid_at
    from invoices
    where status = 'paid' and random() < ${PAYMENTS_LOGGED}
  `.execute(db);
  // Disputes opened (and resolved), promises to pay, reminders sent: AR's /ar-update.
  await sql`
    insert into collection_updates (team_id, account_id, invoice_id, author_user_id, kind, dispute_reason, note,
      created_at)
    select team_id, account_id, id, ${randomArStaff()}, 'dispute_opened',
      (${DISPUTE_REASONS}::text[])[1 + floor(random() * cardinality(${DISPUTE_REASONS}::text[]))::int],
      'Customer disputes the invoice',
      least(${yesterday}::date, due_on + floor(random() * 20)::int) + time '11:00'
    from invoices
    where dispute_state <> 'none'
  `.execute(db);
  await sql`
    insert into collection_updates (team_id, account_id, invoice_id, author_user_id, kind, note, created_at)
    select team_id, account_id, id, ${randomArStaff()}, 'dispute_resolved', 'Credit note issued',
      least(${yesterday}::date, due_on + 20 + floor(random() * 20)::int) + time '15:00'
    from invoices
    where dispute_state = 'resolved'
  `.execute(db);
  await sql`
    insert into collection_updates (team_id, account_id, invoice_id, author_user_id, kind, promise_date, note,
      created_at)
    select team_id, account_id, id, ${randomArStaff()}, 'promise_to_pay', promise_date, 'Customer promised payment',
      greatest(due_on + 1, least(${yesterday}::date, promise_date - ${PROMISE_DAYS[0]}::int)) + time '14:00'
    from invoices
    where promise_date is not null
  `.execute(db);
  await sql`
    insert into collection_updates (team_id, account_id, invoice_id, author_user_id, kind, note, created_at)
    select team_id, account_id, id, ${randomArStaff()}, 'reminder_sent', 'Reminder emailed to AP',
      (due_on + 3) + time '10:00'
    from invoices
    where status = 'open' and due_on + 3 <= ${yesterday}::date and random() < ${REMINDED_OVERDUE}
  `.execute(db);
  // Notes about whole accounts.
  await sql`
    insert into collection_updates (team_id, account_id, author_user_id, kind, note, created_at)
    select a.team_id, a.id, ${randomArStaff()}, 'note', 'Spoke with their AP team',
      ${yesterday}::date - floor(random() * 365 + n * 0)::int + time '16:00'
    from accounts a
    cross join lateral generate_series(1, (a.id * 11) % (${MAX_NOTES_PER_ACCOUNT} + 1)) n
  `.execute(db);
}

/**
 * What yesterday's sweeps and deliveries left behind: a thread for every account that had a handoff or
 * collections activity, credit holds as the hold rules give them, and the sent pings in the outbox.
 */
async function seedSteadyState(db: Kysely<Database>): Promise<void> {
  await sql`
    update accounts a set thread_channel = ${FINANCE_CHANNEL},
      thread_ts = (extract(epoch from a.created_at)::bigint + 86400 + a.id % 86400)::text || '.' ||
        lpad((a.id % 1000000)::text, 6, '0')
    where exists (select 1 from deals d join handoffs h on h.deal_id = d.id where d.account_id = a.id)
       or exists (
         select 1 from invoices i
         where i.account_id = a.id and (i.pinged_threshold > 0 or i.dispute_state <> 'none' or i.promise_date is not null)
       )
  `.execute(db);
  // Credit hold as of yesterday: an open invoice CREDIT_HOLD_DAYS late, or the open balance over the limit.
  await sql`
    with owing as (
      select account_id,
        bool_or(due_on <= ${yesterday}::date - ${holdDays}::int) as late
      from invoices where status = 'open' and balance_cents > 0
      group by account_id
    ), over_limit as (
      select a.id
      from accounts a
      join invoices i on i.account_id = a.id and i.status = 'open' and i.balance_cents > 0
        and i.currency = a.credit_limit_currency
      where a.credit_limit_cents is not null
      group by a.id, a.credit_limit_cents
      having sum(i.balance_cents) > a.credit_limit_cents
    )
    update accounts a set credit_hold = true, credit_hold_changes = 1,
      credit_hold_since = ${yesterday}::date - (a.id % 90) + time '12:00'
    where a.id in (select account_id from owing where late) or a.id in (select id from over_limit)
  `.execute(db);
  // Sent notifications: the last ping of each open invoice, broken promises, thread roots, holds.
  const target = sql`jsonb_build_object('kind', 'account_thread', 'accountId', account_id, 'channel', ${FINANCE_CHANNEL}::text)`;
  await sql`
    insert into notifications (team_id, dedupe_key, target, message, status, attempts, channel, ts, created_at,
      sent_at, next_attempt_at)
    select team_id, 'pastdue:' || number || ':' || pinged_threshold, ${target},
      jsonb_build_object('text', 'Invoice ' || number || ' is ' || pinged_threshold || '+ days past due'),
      'sent', 1, ${FINANCE_CHANNEL}::text, '1700000000.' || lpad(id::text, 6, '0'), s.at, s.at, s.at
    from invoices
    cross join lateral (select (due_on + pinged_threshold + time '09:05') at time zone 'UTC' as at) s
    where status = 'open' and pinged_threshold > 0
    union all
    select team_id, 'promise:' || number || ':' || promise_date || ':broken', ${target},
      jsonb_build_object('text', 'Promise to pay ' || number || ' by ' || promise_date || ' was not kept'),
      'sent', 1, ${FINANCE_CHANNEL}::text, '1700000001.' || lpad(id::text, 6, '0'), s.at, s.at, s.at
    from invoices
    cross join lateral (select (promise_date + 1 + time '09:05') at time zone 'UTC' as at) s
    where status = 'open' and promise_broken_pinged
  `.execute(db);
  await sql`
    insert into notifications (team_id, dedupe_key, target, message, status, attempts, channel, ts, created_at,
      sent_at, next_attempt_at)
    select team_id, 'account:' || id || ':root',
      jsonb_build_object('kind', 'account_thread', 'accountId', id, 'channel', ${FINANCE_CHANNEL}::text, 'rootOnly', true),
      jsonb_build_object('text', name), 'sent', 1, thread_channel, thread_ts, created_at, created_at, created_at
    from accounts where thread_ts is not null
    union all
    select team_id, 'credithold:' || id || ':1:on',
      jsonb_build_object('kind', 'account_thread', 'accountId', id, 'channel', ${FINANCE_CHANNEL}::text),
      jsonb_build_object('text', name || ' is on credit hold'), 'sent', 1, ${FINANCE_CHANNEL},
      '1700000002.' || lpad(id::text, 6, '0'), credit_hold_since, credit_hold_since, credit_hold_since
    from accounts where credit_hold
  `.execute(db);
}

/** Every reference the seed wrote points at an existing row (the checks skipped while inserting). */
/**
 * The tables triggers keep (ledger_rollup, ledger_counters, account_name_words, account_book), computed from the rows: with
 * session_replication_role = replica above, no trigger fired while seeding. The same statements as the
 * migrations' own fill of existing rows.
 */
async function fillTriggerTables(db: Kysely<Database>): Promise<void> {
  // account_name_vocabulary follows from the words' insert below (its trigger fires; TRUNCATE fires none).
  await sql`truncate ledger_rollup, ledger_counters, account_name_words, account_name_vocabulary, account_book`.execute(
    db,
  );
  await sql`insert into ledger_rollup (team_id, currency, due_on, open_cents, open_count, disputed_count)
    select team_id, currency, due_on, sum(balance_cents), count(*), count(*) filter (where dispute_state = 'open')
    from invoices where status = 'open' group by team_id, currency, due_on`.execute(db);
  await sql`insert into ledger_counters (team_id, accounts_on_hold, handoffs_waiting)
    select team_id, sum(holds), sum(waiting) from (
      select team_id, count(*) filter (where credit_hold) as holds, 0 as waiting from accounts group by team_id
      union all
      select team_id, 0, count(*) from deals group by team_id
      union all
      select team_id, 0, -count(*) from handoffs where complete group by team_id
    ) as counts group by team_id`.execute(db);
  await sql`insert into account_name_words (team_id, word, name_key, account_id)
    select distinct a.team_id, w, a.name_key, a.id
    from accounts a cross join lateral regexp_split_to_table(a.name_key, ' ') as w where w <> ''`.execute(db);
  await sql`select account_book_refresh(array(select distinct account_id from invoices where status = 'open'))`.execute(
    db,
  );
}

async function checkReferences(db: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ broken: string }>`
    select
      (select count(*) from deals d where not exists (select 1 from accounts a where a.id = d.account_id)) +
      (select count(*) from handoffs h where not exists (select 1 from deals d where d.id = h.deal_id)) +
      (select count(*) from invoices i where not exists (select 1 from accounts a where a.id = i.account_id)) +
      (select count(*) from invoices i where i.deal_id is not null
        and not exists (select 1 from deals d where d.id = i.deal_id)) +
      (select count(*) from collection_updates c where not exists (select 1 from accounts a where a.id = c.account_id)) +
      (select count(*) from collection_updates c where c.invoice_id is not null
        and not exists (select 1 from invoices i where i.id = c.invoice_id)) as broken
  `.execute(db);
  const broken = Number(rows[0]?.broken ?? 0);
  if (broken > 0) throw new Error(`${broken} seeded rows reference a row that does not exist`);
}

async function checkNameKeys(db: Kysely<Database>): Promise<void> {
  const rows = await db.selectFrom('accounts').select(['name', 'name_key']).execute();
  const wrong = rows.filter((row) => nameKey(row.name) !== row.name_key);
  if (wrong.length > 0) {
    throw new Error(
      `${wrong.length} accounts have a name_key that nameKey() would not give, e.g. ${JSON.stringify(wrong[0])}`,
    );
  }
}

async function printCounts(db: Kysely<Database>): Promise<void> {
  const t = sql`${today}::date`;
  const { rows } = await sql<{ label: string; n: string }>`
    select 'people (reps, managers, AR)' as label, count(*)::text as n from people
    union all select '  of them managers', count(*)::text from people where role = 'manager'
    union all select '  with a manager', count(*)::text from people where manager_user_id is not null
    union all select 'accounts', count(*)::text from accounts
    union all select '  with an owner', count(*)::text from accounts where owner_user_id is not null
    union all select '  with a domain', count(*)::text from accounts where domain is not null
    union all select '  with a thread', count(*)::text from accounts where thread_ts is not null
    union all select '  with a credit limit', count(*)::text from accounts where credit_limit_cents is not null
    union all select '  on credit hold', count(*)::text from accounts where credit_hold
    union all select 'deals', count(*)::text from deals
    union all select 'handoffs complete', count(*)::text from handoffs where complete
    union all select 'handoffs incomplete', count(*)::text from handoffs where not complete
    union all select 'deals without a handoff', count(*)::text from deals d
      where not exists (select 1 from handoffs h where h.deal_id = d.id)
    union all select 'invoices', count(*)::text from invoices
    union all select '  paid', count(*)::text from invoices where status = 'paid'
    union all select '  void', count(*)::text from invoices where status = 'void'
    union all select '  open, current', count(*)::text from invoices where status = 'open' and due_on >= ${t}
    union all select '  open, past due', count(*)::text from invoices where status = 'open' and due_on < ${t}
    union all select '    in open dispute', count(*)::text from invoices where status = 'open' and dispute_state = 'open'
    union all select '    promise to pay still holding', count(*)::text from invoices
      where status = 'open' and promise_date >= ${t}
    union all select '    promise broken yesterday (pinged today)', count(*)::text from invoices
      where status = 'open' and promise_date = ${t} - 1
    union all select '    promise broken earlier (already pinged)', count(*)::text from invoices
      where status = 'open' and promise_broken_pinged
    union all select '    past the credit-hold age', count(*)::text from invoices where status = 'open' and past_hold
    union all select '  currencies (USD/EUR/GBP/JPY)', string_agg(n::text, ' / ' order by o) from (
        select c.o, (select count(*) from invoices where currency = c.code) as n
        from (values (1, 'USD'), (2, 'EUR'), (3, 'GBP'), (4, 'JPY')) c(o, code)
      ) x
    union all select 'open past-due invoices crossing a threshold today', count(*)::text from invoices
      where status = 'open' and dispute_state <> 'open' and (promise_date is null or promise_date < ${t} - 1)
        and ${crossedThreshold(sql`${t} - due_on`, thresholds)} > pinged_threshold
    union all select 'collection updates', count(*)::text from collection_updates
    union all select 'notifications (sent)', count(*)::text from notifications
  `.execute(db);
  say(
    table(
      rows.map((row) => [
        row.label,
        /^\d+$/.test(row.n) ? fmt(Number(row.n)) : row.n.replace(/\d+/g, (d) => fmt(Number(d))),
      ]),
    ),
  );
}
