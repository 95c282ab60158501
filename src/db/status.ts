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
  disputeReasonLabel,
  emptyAging,
  type UpdateKind,
} from '../domain/collections.ts';
import { currentFields, type FieldKey, formatFieldValue, missingFields } from '../domain/handoff.ts';
import { nameKey } from './accounts.ts';
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
  open: Array<{
    id: number;
    number: string;
    balance_cents: number;
    amount_cents: number;
    currency: string;
    due_on: string;
    dispute_state: string;
    promise_date: string | null;
  }> | null;
  deal: {
    name: string;
    currency: string;
    prefill: unknown;
    fields: unknown;
    complete: boolean | null;
  } | null;
  updates: Array<{
    kind: UpdateKind;
    note: string | null;
    author_user_id: string | null;
    created_at: string;
    number: string | null;
  }> | null;
  reasons: Array<{ invoice_id: number; dispute_reason: string }> | null;
}

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A pick-list entry as JSON, and the decision "one is the answer, several a pick list" over a set. */
const candidateJson = sql`json_build_object('id', id, 'name', name, 'domain', domain, 'owner_user_id', owner_user_id)`;
const oneOrPick = sql`case
  when count(*) = 1 then json_build_object('kind', 'account', 'accountId', min(id))
  when count(*) > 1 then json_build_object('kind', 'pick', 'candidates', json_agg(${candidateJson} order by rn))
end`;

/**
 * Everything /ar-status needs, in one statement and one round trip: what the text finds (an exact
 * invoice number, a domain, an exact name, names with a word starting with the text, names
 * containing it, similar names ranked by trigram similarity, else the closest names: each step
 * runs only when the ones before found nothing, as COALESCE stops at its first non-null
 * argument), and, when that is one account, the account, its open invoices, its latest deal's
 * handoff, its last three collection updates and its open disputes' reasons.
 */
async function statusLookup(db: Queryable, teamId: string, target: StatusTarget): Promise<StatusJson> {
  const text = 'text' in target ? target.text.trim() : '';
  const key = nameKey(text);
  const oneWord = key !== '' && !key.includes(' ');
  const domain = 'text' in target ? asDomain(text) : null;
  const found =
    'accountId' in target
      ? sql`select json_build_object('kind', 'account', 'accountId', ${target.accountId}::integer) as r`
      : sql`select coalesce(
          (select json_build_object('kind', 'account', 'accountId', account_id) from invoices
            where team_id = ${teamId} and lower(number) = ${text.toLowerCase()} limit 1),
          (select ${oneOrPick} from (
            select *, row_number() over (order by name_key, id) as rn from (
              select id, name, domain, owner_user_id, name_key from accounts
              where ${domain !== null} and team_id = ${teamId} and lower(domain) = ${domain ?? ''}
              order by name_key, id limit ${MAX_CANDIDATES}) as d) as d),
          (select ${oneOrPick} from (
            select *, row_number() over (order by id) as rn from (
              select id, name, domain, owner_user_id from accounts
              where team_id = ${teamId} and name_key = ${key} order by name_key, id limit ${MAX_CANDIDATES}) as e) as e),
          (select ${oneOrPick} from (
            select a.id, a.name, a.domain, a.owner_user_id, row_number() over (order by w.first) as rn from (
              select account_id, min(ord) as first from (
                select account_id, row_number() over (order by word, name_key, account_id) as ord from (
                  select word, name_key, account_id from account_name_words
                  where ${oneWord} and team_id = ${teamId} and word like ${`${likeEscape(key)}%`}
                  order by word, name_key, account_id limit ${MAX_CANDIDATES * 4}) as m) as m
              group by account_id order by first limit ${MAX_CANDIDATES}) as w
            join accounts a on a.id = w.account_id) as p),
          (select ${oneOrPick} from (
            select *, row_number() over (order by name_key, id) as rn from (
              select id, name, domain, owner_user_id, name_key from accounts
              where ${key.length >= 3} and team_id = ${teamId} and name_key like ${`%${likeEscape(key)}%`}
              order by name_key, id limit ${MAX_CANDIDATES}) as c) as c),
          (select case
              when count(*) = 0 then null
              when count(*) = 1 or max(score) filter (where rn = 1) - max(score) filter (where rn = 2) >= 0.15
                then json_build_object('kind', 'account', 'accountId', min(id) filter (where rn = 1))
              else json_build_object('kind', 'pick', 'candidates',
                json_agg(${candidateJson} order by rn) filter (where best - score < 0.15))
            end
            from (
              select *, row_number() over (order by score desc, name_key) as rn, max(score) over () as best from (
                select id, name, domain, owner_user_id, name_key,
                  (similarity(name_key, ${key}) + 0.5 * word_similarity(${key}, name_key))::float8 as score
                from accounts
                where team_id = ${teamId} and (name_key % ${key} or ${key} <% name_key)
                order by score desc, name_key limit ${MAX_CANDIDATES}) as t) as t),
          (select json_build_object('kind', 'none', 'closest', json_agg(name order by distance, name_key)) from (
            select name, name_key, name_key <-> ${key} as distance from accounts where team_id = ${teamId}
            order by distance limit 3) as n)
        ) as r`;
  const { rows } = await sql<{ status: StatusJson }>`
    with found as materialized (${found}),
    account as materialized (
      select id, name, domain, owner_user_id, credit_hold, credit_limit_cents, credit_limit_currency,
        thread_channel, thread_ts
      from accounts
      where team_id = ${teamId} and id = (select (r->>'accountId')::integer from found where r->>'kind' = 'account')
    )
    select json_build_object(
      'found', (select r from found),
      'account', (select row_to_json(account) from account),
      'open', (select json_agg(json_build_object('id', id, 'number', number, 'balance_cents', balance_cents,
          'amount_cents', amount_cents, 'currency', currency, 'due_on', due_on, 'dispute_state', dispute_state,
          'promise_date', promise_date))
        from invoices where account_id = (select id from account) and status = 'open'),
      'deal', (select row_to_json(d) from (
        select deals.name, deals.currency, deals.prefill, handoffs.fields, handoffs.complete
        from deals left join handoffs on handoffs.deal_id = deals.id
        where deals.account_id = (select id from account)
        order by deals.closed_at desc limit 1) as d),
      'updates', (select json_agg(u order by u.created_at desc, u.id desc) from (
        select cu.id, cu.kind, cu.note, cu.author_user_id, cu.created_at, i.number
        from collection_updates cu left join invoices i on i.id = cu.invoice_id
        where cu.account_id = (select id from account)
        order by cu.created_at desc, cu.id desc limit 3) as u),
      'reasons', (select json_agg(r) from (
        select distinct on (cu.invoice_id) cu.invoice_id, cu.dispute_reason
        from invoices i join collection_updates cu on cu.invoice_id = i.id
        where i.account_id = (select id from account) and i.status = 'open' and i.dispute_state = 'open'
          and cu.kind = 'dispute_opened' and cu.dispute_reason is not null and cu.dispute_reason <> ''
        order by cu.invoice_id, cu.created_at desc, cu.id desc) as r)
    ) as status
  `.execute(db);
  return (rows[0] as { status: StatusJson }).status;
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
): Promise<{ found: StatusQuery; status: AccountStatus | undefined }> {
  const json = await statusLookup(db, teamId, { text });
  return { found: asStatusQuery(json.found), status: accountStatusOf(json, today, settings) };
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
  return accountStatusOf(await statusLookup(db, teamId, { accountId }), today, settings);
}

function accountStatusOf(
  json: StatusJson,
  today: string,
  settings: StatusSettings,
): AccountStatus | undefined {
  const account = json.account;
  if (!account) return undefined;
  const open = json.open ?? [];
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
