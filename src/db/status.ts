/**
 * The /ar-status read model: what the command finds for a query, one account's standing, a rep's
 * book and AR's ledger headline. The types are what src/views/ar-status.ts renders.
 */
import { sql } from 'kysely';
import {
  type AgingBucket,
  agingTotals,
  creditHoldReasons,
  daysPastDue,
  emptyAging,
  type UpdateKind,
} from '../domain/collections.ts';
import { currentFields, type FieldKey, formatFieldValue, missingFields } from '../domain/handoff.ts';
import { nameKey } from './accounts.ts';
import { disputeReasonLabels } from './collection-updates.ts';
import type { Queryable } from './schema.ts';

/** Money in one currency; amounts are never summed across currencies. */
export interface MoneyByCurrency {
  currency: string;
  cents: number;
}

export interface StatusInvoice {
  id: number;
  number: string;
  balanceCents: number;
  amountCents: number;
  currency: string;
  dueOn: string;
  daysLate: number;
  disputed: boolean;
  disputeReasonLabel: string | null;
  promiseDate: string | null;
}

export interface StatusUpdate {
  kind: UpdateKind;
  note: string | null;
  authorUserId: string | null;
  at: Date;
  invoiceNumber: string | null;
}

/** Everything /ar-status shows about one account, as of `today` (dates are 'YYYY-MM-DD'). */
export interface AccountStatus {
  accountId: number;
  name: string;
  domain: string | null;
  ownerUserId: string | null;
  /** The latest deal's handoff: null when the account has no deal in AR Bridge. */
  handoff: {
    dealName: string;
    complete: boolean;
    missing: FieldKey[];
    /** e.g. 'Net 30', or null when not given yet. */
    terms: string | null;
  } | null;
  openBalance: MoneyByCurrency[];
  /** Per currency, the open balance in each aging bucket. */
  aging: Array<{ currency: string; buckets: Record<AgingBucket, number> }>;
  /** Overdue or disputed open invoices, worst (most days late) first; `more` counts the rest. */
  problemInvoices: StatusInvoice[];
  moreProblemInvoices: number;
  creditHold: { on: boolean; reasons: string[] };
  /** The last three collection updates, newest first. */
  recentUpdates: StatusUpdate[];
  /** Link to the account's thread in the finance channel, when it has one. */
  threadUrl: string | null;
}

/** One line of a book: an account with an open balance. */
export interface BookLine {
  accountId: number;
  name: string;
  ownerUserId: string | null;
  openBalance: MoneyByCurrency[];
  overdue: MoneyByCurrency[];
  worstDaysLate: number;
  disputes: number;
  creditHold: boolean;
}

/** `/ar-status` alone, for a rep: their accounts with open balances, overdue first. */
export interface RepBook {
  userId: string;
  lines: BookLine[];
  moreLines: number;
}

/** `/ar-status` alone, for AR: the whole ledger's headline. */
export interface LedgerHeadline {
  totalOpen: MoneyByCurrency[];
  aging: Array<{ currency: string; buckets: Record<AgingBucket, number> }>;
  openDisputes: number;
  handoffsWaiting: number;
  accountsOnHold: number;
  overdueInvoices: number;
}

/** Several accounts match the query: a short pick list. */
export interface Candidate {
  accountId: number;
  name: string;
  domain: string | null;
  ownerUserId: string | null;
}

export type StatusQuery =
  | { kind: 'account'; accountId: number }
  | { kind: 'pick'; candidates: Candidate[] }
  | { kind: 'none'; closest: string[] };

const MAX_CANDIDATES = 8;

/** `example.com` from "https://www.example.com/x", "ap@example.com" or "Example.com". */
function asDomain(text: string): string | null {
  const t = text.trim().toLowerCase();
  if (/\s/.test(t) || !t.includes('.')) return null;
  const host =
    t
      .replace(/^[a-z]+:\/\//, '')
      .replace(/^[^@/]*@/, '')
      .split(/[/?#]/)[0] ?? '';
  const domain = host.replace(/^www\./, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain) ? domain : null;
}

/**
 * Finds what `/ar-status <text>` is about: an exact invoice number, a domain, then account names
 * (exact, then typo-tolerant trigram similarity, ranked). One clear winner is the answer; several
 * close ones make a pick list; none gives the closest names.
 */
export async function resolveStatusQuery(db: Queryable, teamId: string, text: string): Promise<StatusQuery> {
  const query = text.trim();
  const invoice = await db
    .selectFrom('invoices')
    .select('account_id')
    .where('team_id', '=', teamId)
    .where((eb) => eb(eb.fn('lower', ['number']), '=', query.toLowerCase()))
    .executeTakeFirst();
  if (invoice) return { kind: 'account', accountId: invoice.account_id };

  const candidate = (a: {
    id: number;
    name: string;
    domain: string | null;
    owner_user_id: string | null;
  }): Candidate => ({
    accountId: a.id,
    name: a.name,
    domain: a.domain,
    ownerUserId: a.owner_user_id,
  });
  const domain = asDomain(query);
  if (domain) {
    const byDomain = await db
      .selectFrom('accounts')
      .select(['id', 'name', 'domain', 'owner_user_id'])
      .where('team_id', '=', teamId)
      .where((eb) => eb(eb.fn('lower', ['domain']), '=', domain))
      .orderBy('name_key')
      .limit(MAX_CANDIDATES)
      .execute();
    if (byDomain.length === 1 && byDomain[0]) return { kind: 'account', accountId: byDomain[0].id };
    if (byDomain.length > 1) return { kind: 'pick', candidates: byDomain.map(candidate) };
  }

  const key = nameKey(query);
  const exact = await db
    .selectFrom('accounts')
    .select(['id', 'name', 'domain', 'owner_user_id'])
    .where('team_id', '=', teamId)
    .where('name_key', '=', key)
    .limit(MAX_CANDIDATES)
    .execute();
  if (exact.length === 1 && exact[0]) return { kind: 'account', accountId: exact[0].id };
  if (exact.length > 1) return { kind: 'pick', candidates: exact.map(candidate) };

  const contains = `%${key.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const ranked = await db
    .selectFrom('accounts')
    .select(['id', 'name', 'domain', 'owner_user_id'])
    .select(
      sql<number>`(similarity(name_key, ${key}) + 0.5 * word_similarity(${key}, name_key))::float8`.as(
        'score',
      ),
    )
    .select(sql<boolean>`name_key like ${contains}`.as('contains'))
    .where('team_id', '=', teamId)
    .where((eb) =>
      eb.or([
        eb('name_key', 'like', contains),
        sql<boolean>`name_key % ${key}`,
        sql<boolean>`${key} <% name_key`,
      ]),
    )
    .orderBy('contains', 'desc')
    .orderBy('score', 'desc')
    .orderBy('name_key')
    .limit(MAX_CANDIDATES)
    .execute();
  // Several names containing the words: let the person choose among them; one: that is it.
  const containing = ranked.filter((r) => r.contains);
  if (containing.length === 1 && containing[0]) return { kind: 'account', accountId: containing[0].id };
  if (containing.length > 1) return { kind: 'pick', candidates: containing.map(candidate) };
  // Typos: a clear winner by similarity, else the close ones.
  const [best, second] = ranked;
  if (best && (!second || best.score - second.score >= 0.15)) return { kind: 'account', accountId: best.id };
  if (best)
    return { kind: 'pick', candidates: ranked.filter((r) => best.score - r.score < 0.15).map(candidate) };

  const closest = await db
    .selectFrom('accounts')
    .select('name')
    .where('team_id', '=', teamId)
    .orderBy(sql`name_key <-> ${key}`)
    .limit(3)
    .execute();
  return { kind: 'none', closest: closest.map((c) => c.name) };
}

function perCurrency(rows: Iterable<{ currency: string; cents: number }>): MoneyByCurrency[] {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.currency, (totals.get(r.currency) ?? 0) + r.cents);
  return [...totals]
    .filter(([, cents]) => cents !== 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, cents]) => ({ currency, cents }));
}

export function threadUrl(teamUrl: string | null, channel: string | null, ts: string | null): string | null {
  if (!teamUrl || !channel || !ts) return null;
  return `${teamUrl.replace(/\/?$/, '/')}archives/${channel}/p${ts.replace('.', '')}`;
}

const MAX_PROBLEMS = 10;

/** What the account status depends on besides the data: the credit-hold policy and the workspace's URL. */
export interface StatusSettings {
  creditHoldDays: number;
  /** https://<workspace>.slack.com/, for the link to the account's thread. */
  teamUrl: string | null;
}

/** Everything `/ar-status` shows about one account, as of `today`. */
export async function loadAccountStatus(
  db: Queryable,
  teamId: string,
  accountId: number,
  today: string,
  settings: StatusSettings,
): Promise<AccountStatus | undefined> {
  const account = await db
    .selectFrom('accounts')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!account) return undefined;
  const [open, deal, updates] = await Promise.all([
    db
      .selectFrom('invoices')
      .select([
        'id',
        'number',
        'balance_cents',
        'amount_cents',
        'currency',
        'due_on',
        'dispute_state',
        'promise_date',
      ])
      .where('account_id', '=', account.id)
      .where('status', '=', 'open')
      .execute(),
    db
      .selectFrom('deals')
      .leftJoin('handoffs', 'handoffs.deal_id', 'deals.id')
      .select(['deals.name', 'deals.currency', 'deals.prefill', 'handoffs.fields', 'handoffs.complete'])
      .where('deals.account_id', '=', account.id)
      .orderBy('deals.closed_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('collection_updates')
      .leftJoin('invoices', 'invoices.id', 'collection_updates.invoice_id')
      .select([
        'collection_updates.kind',
        'collection_updates.note',
        'collection_updates.author_user_id',
        'collection_updates.created_at',
        'invoices.number',
      ])
      .where('collection_updates.account_id', '=', account.id)
      .orderBy('collection_updates.created_at', 'desc')
      .orderBy('collection_updates.id', 'desc')
      .limit(3)
      .execute(),
  ]);

  const problems = open
    .map((inv) => ({ inv, daysLate: daysPastDue(inv.due_on, today) }))
    .filter(({ inv, daysLate }) => daysLate > 0 || inv.dispute_state === 'open')
    .sort((a, b) => b.daysLate - a.daysLate || b.inv.balance_cents - a.inv.balance_cents);
  const shown = problems.slice(0, MAX_PROBLEMS);
  const reasons = await disputeReasonLabels(
    db,
    shown.filter(({ inv }) => inv.dispute_state === 'open').map(({ inv }) => inv.id),
  );
  const fields = deal
    ? currentFields(deal, deal.fields === null ? undefined : { fields: deal.fields })
    : null;
  const holdReasons = creditHoldReasons(
    {
      openInvoices: open.map((i) => ({
        number: i.number,
        balanceCents: i.balance_cents,
        currency: i.currency,
        dueOn: i.due_on,
      })),
      creditLimitCents: account.credit_limit_cents,
      creditLimitCurrency: account.credit_limit_currency,
    },
    today,
    { creditHoldDays: settings.creditHoldDays },
  );
  const aging = agingTotals(
    open.map((i) => ({ balanceCents: i.balance_cents, currency: i.currency, dueOn: i.due_on })),
    today,
  );
  return {
    accountId: account.id,
    name: account.name,
    domain: account.domain,
    ownerUserId: account.owner_user_id,
    handoff:
      deal && fields
        ? {
            dealName: deal.name,
            complete: deal.complete === true,
            missing: missingFields(fields),
            terms: fields.paymentTerms ? formatFieldValue('paymentTerms', fields) : null,
          }
        : null,
    openBalance: perCurrency(open.map((i) => ({ currency: i.currency, cents: i.balance_cents }))),
    aging: [...aging]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, buckets]) => ({ currency, buckets })),
    problemInvoices: shown.map(
      ({ inv, daysLate }): StatusInvoice => ({
        id: inv.id,
        number: inv.number,
        balanceCents: inv.balance_cents,
        amountCents: inv.amount_cents,
        currency: inv.currency,
        dueOn: inv.due_on,
        daysLate,
        disputed: inv.dispute_state === 'open',
        disputeReasonLabel: reasons.get(inv.id) ?? null,
        promiseDate: inv.promise_date,
      }),
    ),
    moreProblemInvoices: problems.length - shown.length,
    creditHold: { on: account.credit_hold, reasons: account.credit_hold ? holdReasons : [] },
    recentUpdates: updates.map((u) => ({
      kind: u.kind,
      note: u.note,
      authorUserId: u.author_user_id,
      at: u.created_at,
      invoiceNumber: u.number,
    })),
    threadUrl: threadUrl(settings.teamUrl, account.thread_channel, account.thread_ts),
  };
}

const MAX_BOOK_LINES = 15;

/** A rep's accounts with open balances, overdue first. */
export async function loadRepBook(
  db: Queryable,
  teamId: string,
  userId: string,
  today: string,
): Promise<RepBook> {
  const rows = await db
    .selectFrom('accounts')
    .innerJoin('invoices', (join) =>
      join.onRef('invoices.account_id', '=', 'accounts.id').on('invoices.status', '=', 'open'),
    )
    .select([
      'accounts.id',
      'accounts.name',
      'accounts.owner_user_id',
      'accounts.credit_hold',
      'invoices.currency',
      sql<number>`sum(invoices.balance_cents)`.as('open'),
      sql<number>`coalesce(sum(invoices.balance_cents) filter (where invoices.due_on < ${today}), 0)`.as(
        'overdue',
      ),
      sql<number>`coalesce(max(${today}::date - invoices.due_on), 0)`.as('worst'),
      sql<number>`count(*) filter (where invoices.dispute_state = 'open')`.as('disputes'),
    ])
    .where('accounts.team_id', '=', teamId)
    .where('accounts.owner_user_id', '=', userId)
    .groupBy([
      'accounts.id',
      'accounts.name',
      'accounts.owner_user_id',
      'accounts.credit_hold',
      'invoices.currency',
    ])
    .execute();
  const lines = new Map<number, BookLine>();
  for (const r of rows) {
    const line = lines.get(r.id) ?? {
      accountId: r.id,
      name: r.name,
      ownerUserId: r.owner_user_id,
      openBalance: [],
      overdue: [],
      worstDaysLate: 0,
      disputes: 0,
      creditHold: r.credit_hold,
    };
    line.openBalance.push({ currency: r.currency, cents: Number(r.open) });
    if (Number(r.overdue) > 0) line.overdue.push({ currency: r.currency, cents: Number(r.overdue) });
    line.worstDaysLate = Math.max(line.worstDaysLate, Number(r.worst));
    line.disputes += Number(r.disputes);
    lines.set(r.id, line);
  }
  const sorted = [...lines.values()]
    .filter((l) => l.openBalance.some((m) => m.cents > 0))
    .sort((a, b) => b.worstDaysLate - a.worstDaysLate || a.name.localeCompare(b.name));
  return {
    userId,
    lines: sorted.slice(0, MAX_BOOK_LINES),
    moreLines: Math.max(0, sorted.length - MAX_BOOK_LINES),
  };
}

/**
 * The whole ledger at a glance, for AR: one statement over the rollup (one row per currency and due
 * date with open invoices) and the workspace's counters, so its cost follows the number of distinct
 * due dates, not of invoices. Aging and overdue are derived here from the due dates, as of `today`.
 */
export async function loadLedgerHeadline(
  db: Queryable,
  teamId: string,
  today: string,
): Promise<LedgerHeadline> {
  const day = sql`${today}::date`;
  const { rows } = await sql<{ headline: LedgerJson }>`
    select json_build_object(
      'currencies', coalesce((
        select json_agg(c order by c.currency) from (
          select currency,
            sum(open_cents) as total,
            coalesce(sum(open_cents) filter (where due_on >= ${day}), 0) as current,
            coalesce(sum(open_cents) filter (where due_on between ${day} - 30 and ${day} - 1), 0) as d30,
            coalesce(sum(open_cents) filter (where due_on between ${day} - 60 and ${day} - 31), 0) as d60,
            coalesce(sum(open_cents) filter (where due_on between ${day} - 90 and ${day} - 61), 0) as d90,
            coalesce(sum(open_cents) filter (where due_on < ${day} - 90), 0) as d90plus,
            coalesce(sum(open_count) filter (where due_on < ${day}), 0) as overdue,
            sum(disputed_count) as disputes
          from ledger_rollup where team_id = ${teamId}
          group by currency
        ) as c
      ), '[]'::json),
      'holds', (select accounts_on_hold from ledger_counters where team_id = ${teamId}),
      'waiting', (select handoffs_waiting from ledger_counters where team_id = ${teamId})
    ) as headline
  `.execute(db);
  const headline = rows[0]?.headline as LedgerJson;
  const byCurrency = headline.currencies;
  return {
    totalOpen: byCurrency
      .map((r) => ({ currency: r.currency, cents: Number(r.total) }))
      .filter((m) => m.cents > 0),
    aging: byCurrency.map((r) => ({
      currency: r.currency,
      buckets: {
        ...emptyAging(),
        current: Number(r.current),
        '1_30': Number(r.d30),
        '31_60': Number(r.d60),
        '61_90': Number(r.d90),
        '90_plus': Number(r.d90plus),
      },
    })),
    openDisputes: byCurrency.reduce((n, r) => n + Number(r.disputes), 0),
    handoffsWaiting: Number(headline.waiting ?? 0),
    accountsOnHold: Number(headline.holds ?? 0),
    overdueInvoices: byCurrency.reduce((n, r) => n + Number(r.overdue), 0),
  };
}

interface LedgerJson {
  currencies: Array<{
    currency: string;
    total: number;
    current: number;
    d30: number;
    d60: number;
    d90: number;
    d90plus: number;
    overdue: number;
    disputes: number;
  }>;
  holds: number | null;
  waiting: number | null;
}
