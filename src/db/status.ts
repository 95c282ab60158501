/**
 * The /ar-status read model: what the command finds for a query, one account's standing, a rep's
 * book and AR's ledger headline. The types are what src/views/ar-status.ts renders.
 */
import { type Kysely, sql } from 'kysely';
import {
  type AgingBucket,
  agingTotals,
  creditHoldReasons,
  daysPastDue,
  disputeReasonLabel,
  emptyAging,
  type UpdateKind,
} from '../domain/collections.ts';
import { currentFields, type FieldKey, formatFieldValue, missingFields } from '../domain/handoff.ts';
import { nameKey } from './accounts.ts';
import type { Database, Queryable } from './schema.ts';

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

/** What one status statement is asked: the account the text finds, or a given account. */
type StatusTarget = { text: string } | { accountId: number };

interface CandidateJson {
  id: number;
  name: string;
  domain: string | null;
  owner_user_id: string | null;
}

type FoundJson =
  | { kind: 'account'; accountId: number }
  | { kind: 'pick'; candidates: CandidateJson[] }
  | { kind: 'none'; closest: string[] | null };

interface StatusJson {
  found: FoundJson;
  account: {
    id: number;
    name: string;
    domain: string | null;
    owner_user_id: string | null;
    credit_hold: boolean;
    credit_limit_cents: number | null;
    credit_limit_currency: string | null;
    thread_channel: string | null;
    thread_ts: string | null;
  } | null;
  /** The account's open invoices, by column: one array per field, all in one row order. */
  open: { [K in keyof OpenInvoiceJson]: OpenInvoiceJson[K][] } | null;
  deal: DealJson | null;
  updates: Array<{
    kind: UpdateKind;
    note: string | null;
    author_user_id: string | null;
    created_at: string;
    number: string | null;
  }> | null;
  reasons: Array<{ invoice_id: number; dispute_reason: string }> | null;
  dispute_deals: DealJson[] | null;
  /** The installation's https://<workspace>.slack.com/ (multi-workspace mode), else null. */
  team_url: string | null;
}

/** One open invoice of the account asked about. */
interface OpenInvoiceJson {
  id: number;
  number: string;
  balance_cents: number;
  amount_cents: number;
  currency: string;
  due_on: string;
  dispute_state: string;
  promise_date: string | null;
  deal_id: number | null;
}

/** The open invoices of a status answer, one object each, from the columns they come in. */
function openInvoicesOf(json: StatusJson): OpenInvoiceJson[] {
  const c = json.open;
  if (!c) return [];
  return c.id.map((id, i) => ({
    id,
    number: c.number[i] as string,
    balance_cents: c.balance_cents[i] as number,
    amount_cents: c.amount_cents[i] as number,
    currency: c.currency[i] as string,
    due_on: c.due_on[i] as string,
    dispute_state: c.dispute_state[i] as string,
    promise_date: c.promise_date[i] ?? null,
    deal_id: c.deal_id[i] ?? null,
  }));
}

/** A deal and its handoff (the handoff's columns are null when the rep has not saved one). */
interface DealJson {
  id: number;
  name: string;
  currency: string;
  prefill: unknown;
  fields: unknown;
  complete: boolean | null;
  submitted_by: string | null;
  submitted_at: string | null;
}

/** The deal an invoice belongs to, with its handoff: what a dispute's context quotes. */
export interface DisputeDeal {
  deal: { name: string; currency: string; prefill: unknown };
  handoff: { fields: unknown; submitted_by: string; submitted_at: Date; complete: boolean } | undefined;
  /** The invoice names no deal: this is its account's latest deal. */
  fromLatestDeal: boolean;
}

/** For the account's open disputed invoices: each one's deal and its latest dispute's reason key. */
export interface StatusDisputes {
  dealOf(invoiceId: number): DisputeDeal | undefined;
  reasonOf(invoiceId: number): string | null;
}

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * A string greater than every string starting with `prefix`, in the "C" collation (code point
 * order), and no greater than any other: the prefix with its last character's code point raised
 * by one. A prefix ending in U+10FFFF (no code point after it) gets U+10FFFF appended instead.
 */
export function prefixUpperBound(prefix: string): string {
  const chars = Array.from(prefix);
  const code = chars.pop()?.codePointAt(0);
  if (code === undefined || code >= 0x10ffff) return `${prefix}\u{10ffff}`;
  return chars.join('') + String.fromCodePoint(code === 0xd7ff ? 0xe000 : code + 1);
}

/**
 * Everything /ar-status needs, in one call of `ar_status_lookup` (migration
 * 2026-12-02T01-01-status-function), one round trip with plans kept per connection: what the text
 * finds (an exact invoice number, a domain, an exact name, names with a word starting with the
 * text, names containing it, similar names ranked by trigram similarity, else the closest names;
 * each step runs only when the ones before found nothing), and, when that is one account, the
 * account, its open invoices, its latest deal's handoff, its last three collection updates, its
 * open disputes' reasons and the deals of its open disputed invoices.
 */
async function statusLookup(db: Queryable, teamId: string, target: StatusTarget): Promise<StatusJson> {
  const text = 'text' in target ? target.text.trim() : '';
  const key = nameKey(text);
  const oneWord = key !== '' && !key.includes(' ');
  const domain = 'text' in target ? asDomain(text) : null;
  const account = 'accountId' in target ? target.accountId : null;
  const { rows } = await sql<{ status: StatusJson }>`select ar_status_lookup(
      ${teamId}, ${text.toLowerCase()}, ${key}, ${domain}::text,
      ${oneWord ? key : null}::text, ${oneWord ? prefixUpperBound(key) : null}::text,
      ${`${likeEscape(key)}%`}, ${key.length >= 3 ? `%${likeEscape(key)}%` : null}::text,
      ${account}::integer) as status`.execute(db);
  return (rows[0] as { status: StatusJson }).status;
}

/**
 * Runs every statement of the status lookup once on each of `connections` pooled connections (an
 * unknown text takes every search step; an account id, the account's part), so that the first
 * answers after start-up find their plans made and the function compiled.
 */
export async function warmStatusLookup(db: Kysely<Database>, connections: number): Promise<void> {
  const any = await db.selectFrom('accounts').select(['team_id', 'id']).limit(1).executeTakeFirst();
  const teamId = any?.team_id ?? '';
  await Promise.all(
    Array.from({ length: connections }, () =>
      db.connection().execute(async (conn) => {
        await statusLookup(conn, teamId, { text: 'warm-up.invalid' });
        if (any) await statusLookup(conn, teamId, { accountId: any.id });
      }),
    ),
  );
}

function asStatusQuery(found: FoundJson): StatusQuery {
  if (found.kind === 'account') return found;
  if (found.kind === 'none') return { kind: 'none', closest: found.closest ?? [] };
  return {
    kind: 'pick',
    candidates: found.candidates.map((a) => ({
      accountId: a.id,
      name: a.name,
      domain: a.domain,
      ownerUserId: a.owner_user_id,
    })),
  };
}

/**
 * Finds what `/ar-status <text>` is about: an exact invoice number, a domain, then account names
 * (exact, then by word prefix, containing, typo-tolerant trigram similarity, ranked). One clear
 * winner is the answer; several close ones make a pick list; none gives the closest names.
 */
export async function resolveStatusQuery(db: Queryable, teamId: string, text: string): Promise<StatusQuery> {
  return asStatusQuery((await statusLookup(db, teamId, { text })).found);
}

/** What `/ar-status <text>` finds and, when it is one account, where that account stands: one round trip. */
export async function lookUpStatus(
  db: Queryable,
  teamId: string,
  text: string,
  today: string,
  settings: StatusSettings,
): Promise<{ found: StatusQuery; status: AccountStatus | undefined; disputes: StatusDisputes }> {
  const json = await statusLookup(db, teamId, { text });
  return {
    found: asStatusQuery(json.found),
    status: accountStatusOf(json, today, settings),
    disputes: disputesOf(json),
  };
}

/** One account's status and its disputes' deals, in one round trip (a pick list, the Share button). */
export async function loadAccountAnswer(
  db: Queryable,
  teamId: string,
  accountId: number,
  today: string,
  settings: StatusSettings,
): Promise<{ status: AccountStatus | undefined; disputes: StatusDisputes }> {
  const json = await statusLookup(db, teamId, { accountId });
  return { status: accountStatusOf(json, today, settings), disputes: disputesOf(json) };
}

function dealOfJson(d: DealJson, fromLatestDeal: boolean): DisputeDeal {
  return {
    deal: { name: d.name, currency: d.currency, prefill: d.prefill },
    handoff:
      d.submitted_by === null || d.submitted_at === null
        ? undefined
        : {
            fields: d.fields,
            submitted_by: d.submitted_by,
            submitted_at: new Date(d.submitted_at),
            complete: d.complete === true,
          },
    fromLatestDeal,
  };
}

function disputesOf(json: StatusJson): StatusDisputes {
  const dealIds = new Map((json.open?.id ?? []).map((id, i) => [id, json.open?.deal_id[i] ?? null]));
  const deals = new Map((json.dispute_deals ?? []).map((d) => [d.id, d]));
  const reasons = new Map((json.reasons ?? []).map((r) => [r.invoice_id, r.dispute_reason]));
  return {
    dealOf(invoiceId) {
      const dealId = dealIds.get(invoiceId);
      if (dealId === undefined) return undefined;
      if (dealId === null) return json.deal ? dealOfJson(json.deal, true) : undefined;
      const deal = deals.get(dealId);
      return deal ? dealOfJson(deal, false) : undefined;
    },
    reasonOf: (invoiceId) => reasons.get(invoiceId) ?? null,
  };
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
  /**
   * https://<workspace>.slack.com/, for the link to the account's thread, when the workspace has no
   * installation (single-workspace mode); an installation's own URL comes with the lookup.
   */
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
  return accountStatusOf(await statusLookup(db, teamId, { accountId }), today, settings);
}

function accountStatusOf(
  json: StatusJson,
  today: string,
  settings: StatusSettings,
): AccountStatus | undefined {
  const account = json.account;
  if (!account) return undefined;
  const open = openInvoicesOf(json);
  const deal = json.deal;
  const updates = json.updates ?? [];
  const reasons = new Map(
    (json.reasons ?? []).map((r) => [r.invoice_id, disputeReasonLabel(r.dispute_reason)]),
  );
  const problems = open
    .map((inv) => ({ inv, daysLate: daysPastDue(inv.due_on, today) }))
    .filter(({ inv, daysLate }) => daysLate > 0 || inv.dispute_state === 'open')
    .sort((a, b) => b.daysLate - a.daysLate || b.inv.balance_cents - a.inv.balance_cents);
  const shown = problems.slice(0, MAX_PROBLEMS);
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
      at: new Date(u.created_at),
      invoiceNumber: u.number,
    })),
    threadUrl: threadUrl(json.team_url ?? settings.teamUrl, account.thread_channel, account.thread_ts),
  };
}

const MAX_BOOK_LINES = 15;

export interface BookJson {
  /** The accounts on the book, shown or not. */
  total: number;
  rows: Array<{
    id: number;
    name: string;
    owner_user_id: string | null;
    credit_hold: boolean;
    currency: string;
    open: number;
    overdue: number;
    worst: number;
    disputes: number;
  }>;
}

/**
 * A rep's accounts with open balances, overdue first: one call of `ar_status_book` (migration
 * 2026-12-02T01-02-account-book), which picks the worst accounts from the `account_book` rollup
 * and reads the open invoices of those alone.
 */
export async function loadRepBook(
  db: Queryable,
  teamId: string,
  userId: string,
  today: string,
): Promise<RepBook> {
  const { rows: result } = await sql<{ book: BookJson }>`select ar_status_book(
      ${teamId}, ${userId}, ${today}::date, ${MAX_BOOK_LINES}::integer) as book`.execute(db);
  const book = (result[0] as { book: BookJson }).book;
  return bookOf(userId, book.rows, Number(book.total));
}

/**
 * A book from its accounts' open invoices summed per account and currency (`total`: how many
 * accounts the whole book holds, shown or not): the accounts with a positive open balance, worst
 * first, then by name.
 */
export function bookOf(userId: string, rows: BookJson['rows'], total: number): RepBook {
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
    moreLines: Math.max(0, total - MAX_BOOK_LINES),
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
