/**
 * The invoice upsert in sets: the rows (a CSV import as it streams, or the API's batch) are copied
 * into a staging table with COPY, then a handful of statements apply them all at once: accounts
 * matched by CRM id, then by name, and created when new; credit limits; one INSERT … SELECT … ON
 * CONFLICT for the invoices; the payments they record. The statements' cost does not depend on how
 * many rows came in one call, and the ledger's statement-level triggers run once per statement.
 *
 * The staging tables are temporary (one per connection, emptied when its transaction ends), so
 * concurrent imports never see each other's rows.
 */
import { sql } from 'kysely';
import { type InvoiceInput, invoiceStatus } from '../domain/invoice-input.ts';
import { nameKey } from './accounts.ts';
import { type CopyValue, copyInto } from './copy.ts';
import type { Account, Invoice, Queryable, Trx } from './schema.ts';

/** The staged rows' columns, in COPY order. */
const STAGED_COLUMNS = [
  'seq',
  'number',
  'account_key',
  'crm_id',
  'name_key',
  'new_name',
  'new_name_key',
  'credit_limit_given',
  'credit_limit_cents',
  'deal_crm_id',
  'amount_cents',
  'balance_cents',
  'currency',
  'issued_on',
  'due_on',
  'status',
  'url',
] as const;

/** Which account a row names: its CRM id, else its name (compared by nameKey). */
export function accountKey(account: InvoiceInput['account']): string {
  return account.crmId ? `crm:${account.crmId}` : `name:${nameKey(account.name ?? '')}`;
}

function stagedRow(seq: number, row: InvoiceInput): CopyValue[] {
  const { crmId, name, creditLimitCents } = row.account;
  const newName = name ?? crmId ?? 'Unnamed account';
  return [
    seq,
    row.number,
    accountKey(row.account),
    crmId,
    name ? nameKey(name) : null,
    newName,
    nameKey(newName),
    creditLimitCents !== undefined,
    creditLimitCents ?? null,
    row.dealCrmId ?? null,
    row.amountCents,
    row.balanceCents,
    row.currency,
    row.issuedOn,
    row.dueOn,
    invoiceStatus(row),
    row.url ?? null,
  ];
}

/**
 * Empties (creating them on the connection's first import) the staging tables: the rows as given,
 * the accounts they name, and what applying them did that later steps act on.
 */
async function resetStaging(trx: Trx): Promise<void> {
  await sql`create temp table if not exists invoice_staging (
      seq integer not null, number text not null, account_key text not null, crm_id text, name_key text,
      new_name text not null, new_name_key text not null, credit_limit_given boolean not null,
      credit_limit_cents bigint, deal_crm_id text, amount_cents bigint not null, balance_cents bigint not null,
      currency text not null, issued_on date not null, due_on date not null, status text not null, url text
    ) on commit delete rows`.execute(trx);
  await sql`create temp table if not exists invoice_staging_accounts (
      account_key text primary key, crm_id text, name_key text, new_name text not null,
      new_name_key text not null, credit_limit_given boolean not null, credit_limit_cents bigint,
      currency text not null, account_id integer, created boolean not null default false
    ) on commit delete rows`.execute(trx);
  await sql`create temp table if not exists invoice_staging_results (
      number text not null, account_id integer not null, invoice_id integer, status text not null,
      balance_cents bigint not null, linked boolean not null, paid_cents bigint, old_updated_at timestamptz
    ) on commit delete rows`.execute(trx);
  await sql`truncate invoice_staging, invoice_staging_accounts, invoice_staging_results`.execute(trx);
}

/**
 * Copies the batches into the staging table as they come (each batch once, never the whole input),
 * in the caller's transaction; returns how many rows were staged. A batch source that throws (a
 * file found bad) ends the copy with that error.
 */
export async function stageInvoices(
  trx: Trx,
  batches: AsyncIterable<readonly InvoiceInput[]>,
  onStaged?: (done: number) => void,
): Promise<number> {
  // The set statements below (and the ledger's and name words' triggers they fire) are costed high
  // enough for PostgreSQL's JIT, which then spends seconds compiling simple expressions: off for
  // the rest of this transaction; and memory enough to hash and sort a large file's rows in place.
  await sql`set local jit = off`.execute(trx);
  await sql`set local work_mem = '64MB'`.execute(trx);
  await resetStaging(trx);
  let seq = 0;
  async function* rows(): AsyncGenerator<CopyValue[][]> {
    for await (const batch of batches) {
      yield batch.map((row) => {
        seq += 1;
        return stagedRow(seq, row);
      });
      onStaged?.(seq);
    }
  }
  const copied = await copyInto(trx, 'invoice_staging', STAGED_COLUMNS, rows());
  // Its size for the planner: a large file is joined to the invoices by hashing the staged rows
  // (not the whole invoices table), a small batch by looking each number up in the index.
  await sql`analyze invoice_staging`.execute(trx);
  return copied;
}

export interface StagedAccounts {
  created: number;
}

/**
 * Finds the account of every staged row, once per account named: by CRM id, else by name (the
 * oldest account of that name, standing in for a CRM id only when it has none), else creates it;
 * then sets the credit limits the rows give (the last row naming an account decides, in the
 * currency of its first). The rows are matched as a whole against the accounts there were before.
 */
export async function resolveStagedAccounts(trx: Trx, teamId: string): Promise<StagedAccounts> {
  await sql`
    insert into invoice_staging_accounts
      (account_key, crm_id, name_key, new_name, new_name_key, credit_limit_given, credit_limit_cents, currency)
    select distinct on (account_key) account_key, crm_id, name_key, new_name, new_name_key,
      credit_limit_given, credit_limit_cents, first_value(currency) over (partition by account_key order by seq)
    from invoice_staging
    order by account_key, seq desc`.execute(trx);
  // One join for all: by CRM id; else the oldest account of the name, when either side has no CRM id.
  await sql`
    with named as (
      select distinct on (a.name_key) a.name_key, a.id, a.crm_id from accounts a
      where a.team_id = ${teamId}
        and a.name_key in (select name_key from invoice_staging_accounts where name_key is not null)
      order by a.name_key, a.id
    ),
    matched as (
      select r.account_key, coalesce(c.id, case when r.crm_id is null or n.crm_id is null then n.id end) as id
      from invoice_staging_accounts r
      left join accounts c on r.crm_id is not null and c.team_id = ${teamId} and c.crm_id = r.crm_id
      left join named n on n.name_key = r.name_key
    )
    update invoice_staging_accounts r set account_id = m.id
    from matched m where m.account_key = r.account_key and m.id is not null`.execute(trx);
  const created = await sql`
    with created as (
      insert into accounts (team_id, crm_id, name, name_key)
      select ${teamId}, crm_id, new_name, new_name_key from invoice_staging_accounts
      where account_id is null order by account_key
      returning id, crm_id, name_key
    )
    update invoice_staging_accounts r set account_id = c.id, created = true
    from created c
    where r.account_id is null
      and r.account_key = case when c.crm_id is not null then 'crm:' || c.crm_id else 'name:' || c.name_key end`.execute(
    trx,
  );
  await sql`
    update accounts a set credit_limit_cents = r.credit_limit_cents, credit_limit_currency = r.currency,
      updated_at = now()
    from invoice_staging_accounts r
    where a.id = r.account_id and r.credit_limit_given
      and a.credit_limit_cents is distinct from r.credit_limit_cents`.execute(trx);
  return { created: Number(created.numAffectedRows ?? 0) };
}

export interface AppliedInvoices {
  created: number;
  updated: number;
  unchanged: number;
  /** Payments recorded (a lower balance on an open invoice), and of those the ones that paid it. */
  payments: number;
  paid: number;
  /** Accounts whose invoices changed (new and former accounts of moved invoices). */
  touched: number[];
}

/**
 * Writes the staged invoices in one statement: new numbers inserted, known ones updated when
 * anything the source gives changed (deal and link kept when a row leaves them out; paid_at set
 * once). Notes for the later steps the invoices that now carry a link they did not have or a new
 * deal (the first-invoice DM), and the payments: logged here as `payment_received` updates.
 */
/** The statement of applyStagedInvoices (bench/invoice-import.ts explains it). */
export function applyStatement(teamId: string, now: Date) {
  return sql<{
    created: number;
    updated: number;
    unchanged: number;
    touched: number[];
  }>`
    with src as (
      select s.seq, s.number, r.account_id,
        case when s.deal_crm_id is not null then coalesce(d.id, o.deal_id) else o.deal_id end as deal_id,
        s.amount_cents, s.balance_cents, s.currency, s.issued_on, s.due_on, s.status,
        case when s.status = 'paid' then coalesce(o.paid_at, ${now}::timestamptz) end as paid_at,
        coalesce(s.url, o.url) as url,
        o.id as old_id, o.account_id as old_account_id, o.deal_id as old_deal_id, o.amount_cents as old_amount,
        o.balance_cents as old_balance, o.currency as old_currency, o.issued_on as old_issued_on,
        o.due_on as old_due_on, o.status as old_status, o.url as old_url, o.updated_at as old_updated_at
      from invoice_staging s
      join invoice_staging_accounts r on r.account_key = s.account_key
      left join deals d on s.deal_crm_id is not null and d.team_id = ${teamId} and d.crm_id = s.deal_crm_id
      left join invoices o on o.team_id = ${teamId} and o.number = s.number
    ),
    changed as (
      select * from src
      where old_id is null or not (
        old_account_id = account_id and old_deal_id is not distinct from deal_id and old_amount = amount_cents
        and old_balance = balance_cents and old_currency = currency and old_issued_on = issued_on
        and old_due_on = due_on and old_status = status and old_url is not distinct from url)
    ),
    written as (
      insert into invoices (team_id, number, account_id, deal_id, amount_cents, balance_cents, currency,
        issued_on, due_on, status, paid_at, url)
      select ${teamId}, number, account_id, deal_id, amount_cents, balance_cents, currency, issued_on, due_on,
        status, paid_at, url
      from changed order by seq
      on conflict (team_id, number) do update set
        account_id = excluded.account_id, deal_id = excluded.deal_id, amount_cents = excluded.amount_cents,
        balance_cents = excluded.balance_cents, currency = excluded.currency, issued_on = excluded.issued_on,
        due_on = excluded.due_on, status = excluded.status, paid_at = excluded.paid_at, url = excluded.url,
        updated_at = now()
    ),
    noted as (
      insert into invoice_staging_results
        (number, account_id, invoice_id, status, balance_cents, linked, paid_cents, old_updated_at)
      select number, account_id, old_id, status, balance_cents, linked,
        case when paying then old_balance - balance_cents end, old_updated_at
      from (
        select c.*,
          url is not null and (old_url is null or old_deal_id is distinct from deal_id) as linked,
          coalesce(old_status = 'open' and balance_cents < old_balance and status <> 'void', false) as paying
        from changed c
      ) n
      where linked or paying
    )
    select
      (select count(*)::int from src where old_id is null) as created,
      (select count(*)::int from changed where old_id is not null) as updated,
      (select count(*)::int from src where old_id is not null)
        - (select count(*)::int from changed where old_id is not null) as unchanged,
      (select coalesce(array_agg(distinct id), '{}') from (
         select account_id as id from changed
         union all
         select old_account_id from changed where old_account_id is not null
       ) t) as touched`;
}

export async function applyStagedInvoices(trx: Trx, teamId: string, now: Date): Promise<AppliedInvoices> {
  const { rows } = await applyStatement(teamId, now).execute(trx);
  const counts = rows[0] as (typeof rows)[number];
  // Payments: logged once each (the source key holds the balance and the invoice's last change).
  const { rows: payments } = await sql<{ payments: number; paid: number }>`
    with logged as (
      insert into collection_updates
        (team_id, account_id, invoice_id, author_user_id, kind, amount_cents, note, source_key, created_at)
      select ${teamId}, account_id, invoice_id, null, 'payment_received', paid_cents, null,
        'import:' || number || ':' || balance_cents || ':'
          || floor(extract(epoch from old_updated_at) * 1000)::bigint, ${now}::timestamptz
      from invoice_staging_results where paid_cents is not null
      order by invoice_id
      on conflict (team_id, source_key) do nothing
    )
    select count(*)::int as payments, count(*) filter (where status = 'paid')::int as paid
    from invoice_staging_results where paid_cents is not null`.execute(trx);
  const p = payments[0] as (typeof payments)[number];
  return { ...counts, touched: counts.touched.map(Number), payments: p.payments, paid: p.paid };
}

/** A payment the staged rows recorded, with what its thread post needs. */
export interface StagedPayment {
  invoice: Pick<
    Invoice,
    'id' | 'number' | 'amount_cents' | 'balance_cents' | 'currency' | 'due_on' | 'issued_on' | 'status'
  >;
  account: Pick<Account, 'id' | 'team_id' | 'name' | 'owner_user_id' | 'thread_ts'>;
  amountCents: number;
}

/** The staged payments in invoice order, `limit` at a time after invoice id `after`. */
export async function stagedPayments(db: Queryable, after: number, limit: number): Promise<StagedPayment[]> {
  const { rows } = await sql<{
    id: number;
    number: string;
    amount_cents: number;
    balance_cents: number;
    currency: string;
    due_on: string;
    issued_on: string;
    status: Invoice['status'];
    account_id: number;
    team_id: string;
    name: string;
    owner_user_id: string | null;
    thread_ts: string | null;
    paid_cents: number;
  }>`
    select i.id, i.number, i.amount_cents, i.balance_cents, i.currency, to_char(i.due_on, 'YYYY-MM-DD') as due_on,
      to_char(i.issued_on, 'YYYY-MM-DD') as issued_on, i.status, a.id as account_id, a.team_id, a.name,
      a.owner_user_id, a.thread_ts, r.paid_cents
    from invoice_staging_results r
    join invoices i on i.id = r.invoice_id
    join accounts a on a.id = r.account_id
    where r.paid_cents is not null and r.invoice_id > ${after}
    order by r.invoice_id
    limit ${limit}`.execute(db);
  return rows.map((r) => ({
    invoice: {
      id: r.id,
      number: r.number,
      amount_cents: Number(r.amount_cents),
      balance_cents: Number(r.balance_cents),
      currency: r.currency,
      due_on: r.due_on,
      issued_on: r.issued_on,
      status: r.status,
    },
    account: {
      id: r.account_id,
      team_id: r.team_id,
      name: r.name,
      owner_user_id: r.owner_user_id,
      thread_ts: r.thread_ts,
    },
    amountCents: Number(r.paid_cents),
  }));
}

/** Numbers of the staged invoices that now carry a link they did not have, or a new deal; `limit` after `after`. */
export async function stagedLinkedNumbers(db: Queryable, after: string, limit: number): Promise<string[]> {
  const { rows } = await sql<{ number: string }>`
    select number from invoice_staging_results where linked and number collate "C" > ${after}
    order by number collate "C" limit ${limit}`.execute(db);
  return rows.map((r) => r.number);
}
