import { sql } from 'kysely';
import type { Queryable } from './schema.ts';

/** An open invoice with a link, with the deal it bills and that deal's handoff. */
export interface LinkedInvoice {
  invoiceId: number;
  number: string;
  amountCents: number;
  currency: string;
  dueOn: string;
  url: string;
  accountId: number;
  accountName: string;
  accountDomain: string | null;
  dealId: number;
  dealName: string;
  dealCurrency: string;
  dealPrefill: unknown;
  ownerUserId: string | null;
  /** The handoff's stored fields; null when the rep has not saved one. */
  handoffFields: unknown;
  /** No other invoice of the same deal was issued before it. */
  isFirst: boolean;
}

/**
 * No other invoice of i's account in `status` without a deal was issued since deal d closed and before
 * i. One per status, with the status a literal, so that each reads its partial index (open:
 * `invoices_open_account_idx`, paid: `invoices_paid_account_idx`).
 */
function noEarlierWithoutDeal(status: 'open' | 'paid') {
  return sql`not exists (
             select 1 from invoices o
             where o.account_id = i.account_id and o.status = ${sql.lit(status)} and o.deal_id is null
               and o.team_id = i.team_id and o.id <> i.id
               and o.issued_on >= (d.closed_at at time zone 'UTC')::date
               and (o.issued_on < i.issued_on or (o.issued_on = i.issued_on and o.id < i.id))
           )`;
}

/**
 * Open invoices with a link (by number, or one by id), each with the deal it bills: its own deal,
 * else its account's latest deal. `isFirst` says whether it is that deal's first invoice: no other
 * invoice of the deal (for an invoice without a deal: no other invoice of the account without one,
 * issued since that deal closed) was issued earlier (ties broken by id); void invoices do not count.
 */
export async function linkedInvoices(
  db: Queryable,
  teamId: string,
  which: { numbers: readonly string[] } | { id: number },
): Promise<LinkedInvoice[]> {
  if ('numbers' in which && which.numbers.length === 0) return [];
  const filter =
    'numbers' in which
      ? sql`i.number in (${sql.join(which.numbers.map((n) => sql`${n}`))})`
      : sql`i.id = ${which.id}`;
  const { rows } = await sql<{
    invoice_id: number;
    number: string;
    amount_cents: string | number;
    currency: string;
    due_on: string;
    url: string;
    account_id: number;
    account_name: string;
    account_domain: string | null;
    deal_id: number;
    deal_name: string;
    deal_currency: string;
    deal_prefill: unknown;
    owner_user_id: string | null;
    handoff_fields: unknown;
    is_first: boolean;
  }>`
    select i.id as invoice_id, i.number, i.amount_cents, i.currency, to_char(i.due_on, 'YYYY-MM-DD') as due_on,
           i.url, a.id as account_id, a.name as account_name, a.domain as account_domain,
           d.id as deal_id, d.name as deal_name, d.currency as deal_currency, d.prefill as deal_prefill,
           coalesce(d.owner_user_id, a.owner_user_id) as owner_user_id, h.fields as handoff_fields,
           -- Each case reads its own index (migration 2026-12-02T05-00): the deal's invoices, or the
           -- account's open and paid invoices without a deal.
           case when i.deal_id is not null then not exists (
             select 1 from invoices o
             where o.deal_id = i.deal_id and o.status <> 'void' and o.team_id = i.team_id and o.id <> i.id
               and (o.issued_on < i.issued_on or (o.issued_on = i.issued_on and o.id < i.id))
           ) else ${noEarlierWithoutDeal('open')} and ${noEarlierWithoutDeal('paid')} end as is_first
    from invoices i
    join accounts a on a.id = i.account_id
    join lateral (
      select dd.id, dd.name, dd.currency, dd.prefill, dd.owner_user_id, dd.closed_at
      from deals dd
      where dd.team_id = i.team_id
        and (dd.id = i.deal_id or (i.deal_id is null and dd.account_id = i.account_id))
      order by dd.closed_at desc, dd.id desc
      limit 1
    ) d on true
    left join handoffs h on h.deal_id = d.id
    where i.team_id = ${teamId} and ${filter} and i.url is not null and i.status = 'open'
    order by i.id
  `.execute(db);
  return rows.map((r) => ({
    invoiceId: r.invoice_id,
    number: r.number,
    amountCents: Number(r.amount_cents),
    currency: r.currency,
    dueOn: r.due_on,
    url: r.url,
    accountId: r.account_id,
    accountName: r.account_name,
    accountDomain: r.account_domain,
    dealId: r.deal_id,
    dealName: r.deal_name,
    dealCurrency: r.deal_currency,
    dealPrefill: r.deal_prefill,
    ownerUserId: r.owner_user_id,
    handoffFields: r.handoff_fields,
    isFirst: r.is_first,
  }));
}
