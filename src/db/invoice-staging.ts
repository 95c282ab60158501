/**
 * The invoice upsert in sets: the rows (a CSV import as it streams, or the API's batch) are copied
 * into a staging table with COPY, then a handful of statements apply them: accounts matched by CRM
 * id, then by name, and created when new; one INSERT … SELECT … ON CONFLICT for the invoices; then,
 * once, credit limits and the payments they record. A long input goes in chunks (applyInChunks),
 * each applied while the next is read; the statements' cost per chunk does not depend on how many
 * rows came in one call, and the ledger's statement-level triggers run once per statement.
 *
 * The staging tables are temporary (one per connection, emptied when its transaction ends), so
 * concurrent imports never see each other's rows.
 */
import { sql } from 'kysely';
import { type InvoiceInput, invoiceStatus } from '../domain/invoice-input.ts';
import { NameKeys, nameKey } from './accounts.ts';
import { type CopyValue, copyInto, copyLine, copyTextInto } from './copy.ts';
import { databaseErrorCode } from './errors.ts';
import type { Account, Invoice, Queryable, Trx } from './schema.ts';

/** The staged rows' columns, in COPY order. */
const STAGED_COLUMNS = [
  'seq',
  'line',
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
  'account_news',
  'account_currency',
] as const;

/** Which account a row names: its CRM id, else its name (compared by nameKey; `key`, when known already). */
export function accountKey(account: InvoiceInput['account'], key = nameKey(account.name ?? '')): string {
  return account.crmId ? `crm:${account.crmId}` : `name:${key}`;
}

/**
 * What the rows staged so far said of each account (by key): the name and credit limit of its last
 * row, the currency of its first. A row that says something new of its account (the first to name
 * it, or another name or limit) is marked, so that only those rows are read for the accounts.
 * Bounded by the number of accounts named, not of rows.
 */
class AccountsSeen {
  readonly #said = new Map<string, { said: string; currency: string }>();
  /** nameKey of each name, worked out once per name. */
  readonly keys = new NameKeys();
  /** Whether `row` says something new of its account, and the currency of the account's first row. */
  note(key: string, row: InvoiceInput, newName: string): { news: boolean; currency: string } {
    const said = `${newName}\u0000${row.account.creditLimitCents === undefined ? '-' : String(row.account.creditLimitCents)}`;
    const before = this.#said.get(key);
    if (before !== undefined && before.said === said) return { news: false, currency: before.currency };
    const currency = before?.currency ?? row.currency;
    this.#said.set(key, { said, currency });
    return { news: true, currency };
  }
}

/**
 * A row as staged. What it says of its account is staged only when it says something new of it
 * (account_news): only those rows are read for the accounts, and the others' COPY is the shorter.
 */
function stagedRow(seq: number, row: InvoiceInput, line: number | null, seen: AccountsSeen): CopyValue[] {
  const { crmId, name, creditLimitCents } = row.account;
  const newName = name ?? crmId ?? 'Unnamed account';
  const nameKeyGiven = name ? seen.keys.of(name) : null;
  const key = accountKey(row.account, nameKeyGiven ?? '');
  const { news, currency } = seen.note(key, row, newName);
  return [
    seq,
    line,
    row.number,
    key,
    ...(news
      ? [
          crmId,
          nameKeyGiven,
          newName,
          nameKeyGiven ?? seen.keys.of(newName),
          creditLimitCents !== undefined,
          creditLimitCents ?? null,
        ]
      : [null, null, null, null, null, null]),
    row.dealCrmId ?? null,
    row.amountCents,
    row.balanceCents,
    row.currency,
    row.issuedOn,
    row.dueOn,
    invoiceStatus(row),
    row.url ?? null,
    news,
    news ? currency : null,
  ];
}

/**
 * Empties (creating them on the connection's first import) the staging tables: the rows as given,
 * the accounts they name, and what applying them did that later steps act on.
 */
async function resetStaging(trx: Trx): Promise<void> {
  await sql`create temp table if not exists invoice_staging (
      seq integer not null, line integer, number text not null, account_key text not null, crm_id text, name_key text,
      new_name text, new_name_key text, credit_limit_given boolean,
      credit_limit_cents bigint, deal_crm_id text, amount_cents bigint not null, balance_cents bigint not null,
      currency text not null, issued_on date not null, due_on date not null, status text not null, url text,
      account_news boolean not null, account_currency text
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
  await sql`create temp table if not exists invoice_staging_numbers (
      line integer not null, number text not null, hash integer not null
    ) on commit delete rows`.execute(trx);
  await sql`truncate invoice_staging, invoice_staging_accounts, invoice_staging_results, invoice_staging_numbers`.execute(
    trx,
  );
}

/** The settings of an import's transaction (see stageInvoices), and empty staging tables. */
async function startStaging(trx: Trx): Promise<void> {
  // The set statements below (and the ledger's and name words' triggers they fire) are costed high
  // enough for PostgreSQL's JIT, which then spends seconds compiling simple expressions: off for
  // the rest of this transaction; and memory enough to hash and sort a large file's rows in place.
  await sql`set local jit = off`.execute(trx);
  await sql`set local work_mem = '64MB'`.execute(trx);
  await resetStaging(trx);
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
  await startStaging(trx);
  let seq = 0;
  const seen = new AccountsSeen();
  async function* rows(): AsyncGenerator<CopyValue[][]> {
    for await (const batch of batches) {
      yield batch.map((row) => {
        seq += 1;
        return stagedRow(seq, row, null, seen);
      });
      onStaged?.(seq);
    }
  }
  return copyInto(trx, 'invoice_staging', STAGED_COLUMNS, rows());
}

/** Rows as a source hands them over to `applyInChunks`. */
export interface StagingBatch {
  readonly rows: readonly InvoiceInput[];
  /** Each row's line in the file, for a file: its invoice numbers given twice are then found here. */
  readonly lines?: readonly number[];
  /** The numbers (and lines) of a file's rows that are not to be applied, for the same search. */
  readonly numbers?: readonly { line: number; number: string }[];
  /** The source found a bad row: nothing more is applied, since its caller rejects the whole. */
  readonly rejected?: boolean;
}

/** An invoice number a file gives again: on `line`, first on `firstLine`. */
export interface StagedDuplicate {
  line: number;
  number: string;
  firstLine: number;
}

export interface ChunkedOutcome {
  staged: number;
  accountsCreated: number;
  created: number;
  updated: number;
  unchanged: number;
  touched: number[];
  /** The numbers a file gave twice (each repeat, by line), found in the staging tables. */
  duplicates: StagedDuplicate[];
  /** Whether every row was applied: not once the source rejected a row or a number came twice. */
  complete: boolean;
}

/**
 * Rows per chunk: the first is small, so that the database starts while the source reads on;
 * each next one twice the last, up to the largest (the set statements' fixed cost is then paid
 * a few dozen times for a million rows).
 */
const FIRST_CHUNK_ROWS = 10_000;
const LARGEST_CHUNK_ROWS = 50_000;
/** COPY text is handed to the connection in pieces of about this many characters. */
const COPY_PIECE_CHARS = 1 << 16;

interface Chunk {
  /** COPY text of the rows (invoice_staging), and of the numbers alone (invoice_staging_numbers). */
  rows: string[];
  numbers: string[];
  rowCount: number;
  /** False once the source rejected a row or gave a number twice in one chunk. */
  apply: boolean;
  lines: boolean;
}

/** Text joined into pieces of about COPY_PIECE_CHARS. */
class Pieces {
  readonly done: string[] = [];
  #current = '';
  add(line: string): void {
    this.#current += line;
    if (this.#current.length >= COPY_PIECE_CHARS) {
      this.done.push(this.#current);
      this.#current = '';
    }
  }
  all(): string[] {
    if (this.#current !== '') this.done.push(this.#current);
    this.#current = '';
    return this.done;
  }
}

/** The batches gathered into chunks of COPY text (written here, while the connection works on the last chunk). */
async function* chunksOf(batches: AsyncIterable<StagingBatch>): AsyncGenerator<Chunk> {
  let seq = 0;
  let target = FIRST_CHUNK_ROWS;
  let stopped = false;
  let rows = new Pieces();
  let numbers = new Pieces();
  let count = 0;
  let lines = false;
  let inChunk = new Set<string>();
  const seen = new AccountsSeen();
  const chunk = (): Chunk => {
    const done = { rows: rows.all(), numbers: numbers.all(), rowCount: count, apply: !stopped, lines };
    rows = new Pieces();
    numbers = new Pieces();
    count = 0;
    inChunk = new Set();
    target = Math.min(target * 2, LARGEST_CHUNK_ROWS);
    return done;
  };
  for await (const batch of batches) {
    if (batch.rejected) stopped = true;
    const given = batch.lines;
    if (given) lines = true;
    for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i] as InvoiceInput;
      seq += 1;
      rows.add(copyLine(stagedRow(seq, row, given ? (given[i] as number) : null, seen)));
      // A number twice in one chunk cannot be applied in one statement: the file is rejected anyway.
      if (given) {
        if (inChunk.has(row.number)) stopped = true;
        else inChunk.add(row.number);
      }
    }
    count += batch.rows.length;
    for (const n of batch.numbers ?? []) numbers.add(copyLine([n.line, n.number, 0]));
    if (count + (batch.numbers?.length ?? 0) > 0 && count >= target) yield chunk();
  }
  const last = chunk();
  if (last.rows.length > 0 || last.numbers.length > 0) yield last;
}

/**
 * The source's next item is read while the caller works on the current one (the database on the
 * last chunk, the source on the next: both cores busy), one item ahead at most.
 */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  let done = false;
  try {
    for (;;) {
      const item = await next;
      if (item.done) {
        done = true;
        return;
      }
      next = it.next();
      // Awaited on the next turn; a failure meanwhile must not count as unhandled.
      next.catch(() => {});
      yield item.value;
    }
  } finally {
    if (!done) await it.return?.();
  }
}

/**
 * Upserts the invoices as the batches come, chunk by chunk, in the caller's transaction: each
 * chunk is copied into the staging table, its accounts found or created and its invoices written
 * (as stageInvoices, resolveStagedAccounts and applyStagedInvoices do for one), while the source
 * reads and the next chunk's COPY text is written. What concerns the whole (credit limits, the
 * payment log, the notifications) is left to settleStagedAccounts and logStagedPayments, once
 * the caller has accepted the outcome: once the source rejected a row, or (a file's) numbers came
 * twice, nothing more is applied, and the caller is to roll the transaction back. New open invoices
 * due on or before `holdLine` are stored as past the credit-hold line (see pastHold): the caller
 * weighs their accounts' holds.
 */
export async function applyInChunks(
  trx: Trx,
  teamId: string,
  now: Date,
  batches: AsyncIterable<StagingBatch>,
  onStaged?: (done: number) => void,
  holdLine: string | null = null,
): Promise<ChunkedOutcome> {
  await startStaging(trx);
  const outcome: ChunkedOutcome = {
    staged: 0,
    accountsCreated: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    touched: [],
    duplicates: [],
    complete: true,
  };
  const touched = new Set<number>();
  let lines = false;
  let copied = false;
  let fresh = true;
  let applied = 0;
  for await (const chunk of readAhead(chunksOf(batches))) {
    lines ||= chunk.lines;
    if (chunk.rows.length > 0) {
      // Out with the previous chunk's rows, applied (the last chunk's stay until the transaction ends).
      if (copied) await sql`truncate invoice_staging`.execute(trx);
      copied = true;
      await copyTextInto(trx, 'invoice_staging', STAGED_COLUMNS, chunk.rows);
      if (chunk.apply) {
        outcome.accountsCreated += (await matchStagedAccounts(trx, teamId, outcome.staged === 0)).created;
        // A second chunk names again most accounts the first did: from then on the book waits for the end.
        if (applied++ === 1) await deferAccountBook(trx);
        const counts = await applyStagedChunk(trx, teamId, now, fresh ? 'new' : 'known', holdLine);
        // The next chunk is taken for new too while no number of the file so far was known.
        fresh = counts.updated + counts.unchanged === 0;
        outcome.created += counts.created;
        outcome.updated += counts.updated;
        outcome.unchanged += counts.unchanged;
        for (const id of counts.touched) touched.add(Number(id));
      } else outcome.complete = false;
      if (chunk.lines)
        await sql`insert into invoice_staging_numbers (line, number, hash)
          select line, number, hashtext(number) from invoice_staging`.execute(trx);
    }
    if (chunk.numbers.length > 0) {
      outcome.complete = false;
      await copyTextInto(trx, 'invoice_staging_numbers', ['line', 'number', 'hash'], chunk.numbers);
    }
    outcome.staged += chunk.rowCount;
    onStaged?.(outcome.staged);
  }
  outcome.touched = [...touched];
  if (applied > 1) await settleAccountBook(trx, outcome.touched);
  // Every row applied and new: a number given twice would have found the invoice its first row made.
  const allNew = outcome.complete && outcome.created === outcome.staged;
  if (lines && !allNew) {
    outcome.duplicates = await stagedDuplicates(trx);
    if (outcome.duplicates.length > 0) outcome.complete = false;
  }
  return outcome;
}

/**
 * From here on in this transaction, inserting and updating invoices leave the account book alone
 * (migration 2026-12-02T07-00-account-book-deferred): settleAccountBook must follow.
 */
async function deferAccountBook(trx: Trx): Promise<void> {
  await sql`select set_config('arbridge.account_book', 'deferred', true)`.execute(trx);
}

/** Ends deferAccountBook: the book follows invoices again, and the entries of these accounts are recomputed. */
async function settleAccountBook(trx: Trx, accountIds: readonly number[]): Promise<void> {
  await sql`select set_config('arbridge.account_book', '', true)`.execute(trx);
  if (accountIds.length > 0) await sql`select account_book_refresh(${[...accountIds]}::int[])`.execute(trx);
}

/**
 * The numbers given twice among the staged lines: each repeat, in file order, with its first line.
 * Grouped first by a hash of the number (an integer: a million of them hash in memory, where the
 * numbers themselves would spill to disk), then compared exactly within the hashes seen twice. A
 * rejected file's numbers, staged without their hash (0), are hashed here.
 */
async function stagedDuplicates(trx: Trx): Promise<StagedDuplicate[]> {
  await sql`update invoice_staging_numbers set hash = hashtext(number) where hash = 0`.execute(trx);
  const { rows } = await sql<{ line: number; number: string; first_line: number }>`
    with twice as (
      select n.line, n.number, min(n.line) over (partition by n.number) as first_line
      from invoice_staging_numbers n
      where n.hash in (select hash from invoice_staging_numbers group by hash having count(*) > 1)
    )
    select line, number, first_line from twice where line <> first_line
    order by line`.execute(trx);
  return rows.map((r) => ({ line: r.line, number: r.number, firstLine: r.first_line }));
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
  const matched = await matchStagedAccounts(trx, teamId);
  await settleStagedAccounts(trx);
  return matched;
}

/**
 * resolveStagedAccounts for the rows staged now (`first`: the first chunk), one chunk of a longer import: accounts already
 * named by an earlier chunk keep the account found or created then (the later rows' name and
 * credit limit are noted for settleStagedAccounts); the others are matched against the accounts
 * there were before the import (not those it created), else created.
 */
export async function matchStagedAccounts(trx: Trx, teamId: string, first = true): Promise<StagedAccounts> {
  // The rows that say something new of their account: the last of them per account decides. How
  // many accounts are still to find comes back with it, and then less those the join finds.
  const staged = await sql<{ unresolved: number }>`
    with noted as (
      insert into invoice_staging_accounts
        (account_key, crm_id, name_key, new_name, new_name_key, credit_limit_given, credit_limit_cents, currency)
      select distinct on (account_key collate "C") account_key, crm_id, name_key, new_name, new_name_key,
        credit_limit_given, credit_limit_cents, account_currency
      from invoice_staging where account_news
      order by account_key collate "C", seq desc
      on conflict (account_key) do update set new_name = excluded.new_name, new_name_key = excluded.new_name_key,
        credit_limit_given = excluded.credit_limit_given, credit_limit_cents = excluded.credit_limit_cents
      returning account_id
    )
    select count(*)::int as unresolved from noted where account_id is null`.execute(trx);
  let unresolved = staged.rows[0]?.unresolved ?? 0;
  if (unresolved === 0) return { created: 0 };
  // Its size for the planner (once, on the first chunk), which otherwise takes it for a few rows and
  // looks each name up in the trigram index (0.1 ms each) rather than the B-tree.
  if (first) await sql`analyze invoice_staging_accounts`.execute(trx);
  // One join for all: by CRM id; else the oldest account of the name, when either side has no CRM id.
  const found = await sql`
    with named as (
      select distinct on (a.name_key) a.name_key, a.id, a.crm_id from accounts a
      where a.team_id = ${teamId}
        and a.name_key in (
          select name_key from invoice_staging_accounts where account_id is null and name_key is not null)
      order by a.name_key, a.id
    ),
    matched as (
      select r.account_key, coalesce(c.id, case when r.crm_id is null or n.crm_id is null then n.id end) as id
      from invoice_staging_accounts r
      left join accounts c on r.crm_id is not null and c.team_id = ${teamId} and c.crm_id = r.crm_id
      -- The oldest of the name, unless this import created it (an earlier chunk): then there was none before.
      left join named n on n.name_key = r.name_key
        and n.id not in (select account_id from invoice_staging_accounts where created)
      where r.account_id is null
    )
    update invoice_staging_accounts r set account_id = m.id
    from matched m where m.account_key = r.account_key and m.id is not null`.execute(trx);
  unresolved -= Number(found.numAffectedRows ?? 0);
  if (unresolved === 0) return { created: 0 };
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
  return { created: Number(created.numAffectedRows ?? 0) };
}

/**
 * Once every row is staged: the accounts created take the name of the last row naming them (a
 * later chunk may have named them otherwise), and the credit limits the rows give are set.
 */
export async function settleStagedAccounts(trx: Trx): Promise<void> {
  await sql`
    update accounts a set name = r.new_name, name_key = r.new_name_key, updated_at = now()
    from invoice_staging_accounts r
    where a.id = r.account_id and r.created and a.name <> r.new_name`.execute(trx);
  await sql`
    update accounts a set credit_limit_cents = r.credit_limit_cents, credit_limit_currency = r.currency,
      updated_at = now()
    from invoice_staging_accounts r
    where a.id = r.account_id and r.credit_limit_given
      and a.credit_limit_cents is distinct from r.credit_limit_cents`.execute(trx);
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
 * How a chunk's invoices are written (applyStatement):
 * - `new`: every number taken for new, one plain INSERT with nothing looked up (the cheapest: no
 *   index lookup per number, no speculative insertion); a number the workspace has fails it.
 * - `known`: each number looked up first; the new ones inserted plainly, the known ones that
 *   changed written with `ON CONFLICT … DO UPDATE`. A number another transaction inserted since
 *   the lookup fails it.
 * - `upsert`: as `known`, the new ones with `ON CONFLICT … DO UPDATE` too, so that a number another
 *   transaction is inserting is waited for and then updated: never fails on a number.
 */
export type ApplyMode = 'new' | 'known' | 'upsert';
/** The ways, each tried when the one before found a number taken. */
const APPLY_WAYS: readonly ApplyMode[] = ['new', 'known', 'upsert'];

/** The columns an invoice is inserted with, in order (the SELECTs below give them so). */
const INSERTED = sql`team_id, number, account_id, deal_id, amount_cents, balance_cents, currency, issued_on,
  due_on, status, paid_at, url, past_hold`;

/**
 * Whether a new invoice is already past the credit-hold line (`holdLine`, due on or before it): its
 * account's hold is weighed in the same transaction (recomputeCreditHold), so it is stored as the
 * past-due sweep's markPastHold would leave it, and never enters `invoices_hold_idx`. A known
 * invoice keeps its own (the ON CONFLICT update leaves it). No line: none is.
 */
function pastHold(holdLine: string | null) {
  return sql`coalesce(s.status = 'open' and s.due_on <= ${holdLine}::date, false)`;
}

/** What a known number takes from its staged row: the source's view of the invoice, never our own state. */
const ON_CONFLICT = sql`on conflict (team_id, number) do update set
  account_id = excluded.account_id, deal_id = excluded.deal_id, amount_cents = excluded.amount_cents,
  balance_cents = excluded.balance_cents, currency = excluded.currency, issued_on = excluded.issued_on,
  due_on = excluded.due_on, status = excluded.status, paid_at = excluded.paid_at, url = excluded.url,
  updated_at = now()`;

/**
 * Writes the staged invoices in one statement (see ApplyMode): new numbers inserted, known ones
 * updated when anything the source gives changed (deal and link kept when a row leaves them out;
 * paid_at set once). Notes for the later steps the invoices that now carry a link they did not
 * have or a new deal (the first-invoice DM), and the payments (logged by logStagedPayments).
 * Returns the counts and the accounts whose invoices changed (new and former accounts of moved
 * invoices). bench/invoice-import.ts explains it.
 */
export function applyStatement(teamId: string, now: Date, mode: ApplyMode, holdLine: string | null = null) {
  type Counts = { created: number; updated: number; unchanged: number; touched: number[] };
  if (mode === 'new')
    return sql<Counts>`
      with written as (
        insert into invoices (${INSERTED})
        select ${teamId}, s.number, r.account_id, d.id, s.amount_cents, s.balance_cents, s.currency, s.issued_on,
          s.due_on, s.status, case when s.status = 'paid' then ${now}::timestamptz end, s.url, ${pastHold(holdLine)}
        from invoice_staging s
        join invoice_staging_accounts r on r.account_key = s.account_key
        left join deals d on s.deal_crm_id is not null and d.team_id = ${teamId} and d.crm_id = s.deal_crm_id
        order by s.seq
        returning number, account_id, status, balance_cents, url is not null as linked
      ),
      noted as (
        insert into invoice_staging_results (number, account_id, status, balance_cents, linked)
        select number, account_id, status, balance_cents, true from written where linked
      )
      select count(*)::int as created, 0 as updated, 0 as unchanged,
        coalesce(array_agg(distinct account_id), '{}') as touched
      from written`;
  return sql<Counts>`
    with src as (
      select s.seq, s.number, r.account_id,
        case when s.deal_crm_id is not null then coalesce(d.id, o.deal_id) else o.deal_id end as deal_id,
        s.amount_cents, s.balance_cents, s.currency, s.issued_on, s.due_on, s.status,
        case when s.status = 'paid' then coalesce(o.paid_at, ${now}::timestamptz) end as paid_at,
        coalesce(s.url, o.url) as url, ${pastHold(holdLine)} as past_hold,
        o.id as old_id, o.account_id as old_account_id, o.deal_id as old_deal_id, o.amount_cents as old_amount,
        o.balance_cents as old_balance, o.currency as old_currency, o.issued_on as old_issued_on,
        o.due_on as old_due_on, o.status as old_status, o.url as old_url, o.updated_at as old_updated_at
      from invoice_staging s
      join invoice_staging_accounts r on r.account_key = s.account_key
      left join deals d on s.deal_crm_id is not null and d.team_id = ${teamId} and d.crm_id = s.deal_crm_id
      -- Each number looked up in the unique index (LATERAL … LIMIT 1 keeps it so): for a chunk of
      -- 50,000 rows the planner would otherwise hash them against a scan of every invoice, 3.1-3.8 s
      -- a chunk at 1,000,000 invoices where the lookups take 2.0-2.7 s.
      left join lateral (
        select id, account_id, deal_id, amount_cents, balance_cents, currency, issued_on, due_on, status, url,
          updated_at, paid_at
        from invoices where team_id = ${teamId} and number = s.number limit 1
      ) o on true
    ),
    changed as (
      select * from src
      where old_id is not null and not (
        old_account_id = account_id and old_deal_id is not distinct from deal_id and old_amount = amount_cents
        and old_balance = balance_cents and old_currency = currency and old_issued_on = issued_on
        and old_due_on = due_on and old_status = status and old_url is not distinct from url)
    ),
    created as (
      insert into invoices (${INSERTED})
      select ${teamId}, number, account_id, deal_id, amount_cents, balance_cents, currency, issued_on, due_on,
        status, paid_at, url, past_hold
      from src where old_id is null order by seq
      ${mode === 'upsert' ? ON_CONFLICT : sql``}
    ),
    updated as (
      insert into invoices (${INSERTED})
      select ${teamId}, number, account_id, deal_id, amount_cents, balance_cents, currency, issued_on, due_on,
        status, paid_at, url, past_hold
      from changed order by seq
      ${ON_CONFLICT}
    ),
    noted as (
      insert into invoice_staging_results
        (number, account_id, invoice_id, status, balance_cents, linked, paid_cents, old_updated_at)
      select number, account_id, null, status, balance_cents, true, null, null
      from src where old_id is null and url is not null
      union all
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
      (select count(*)::int from changed) as updated,
      (select count(*)::int from src where old_id is not null) - (select count(*)::int from changed) as unchanged,
      (select coalesce(array_agg(distinct id), '{}') from (
         select account_id as id from src where old_id is null
         union all
         select account_id from changed
         union all
         select old_account_id from changed
       ) t) as touched`;
}

/** Whether `error` is a number of this workspace taken after the statement looked (or did not look) for it. */
function numberTaken(error: unknown): boolean {
  return (
    databaseErrorCode(error) === '23505' &&
    (error as { constraint?: unknown }).constraint === 'invoices_number_key'
  );
}

/**
 * Writes the staged invoices (applyStatement), first as `first` (see ApplyMode), each way that
 * fails on a number in a savepoint: a number found taken (the workspace had it, or another
 * transaction inserted it meanwhile) undoes that attempt and the next way is tried, up to
 * `upsert`, which waits for the other transaction and updates what it committed.
 */
export async function applyStagedChunk(
  trx: Trx,
  teamId: string,
  now: Date,
  first: ApplyMode,
  holdLine: string | null = null,
) {
  const ways = APPLY_WAYS.slice(APPLY_WAYS.indexOf(first));
  for (const mode of ways.slice(0, -1)) {
    await sql`savepoint invoice_chunk`.execute(trx);
    try {
      const { rows } = await applyStatement(teamId, now, mode, holdLine).execute(trx);
      await sql`release savepoint invoice_chunk`.execute(trx);
      return rows[0] as (typeof rows)[number];
    } catch (error) {
      if (!numberTaken(error)) throw error;
      await sql`rollback to savepoint invoice_chunk`.execute(trx);
    }
  }
  const { rows } = await applyStatement(teamId, now, 'upsert', holdLine).execute(trx);
  return rows[0] as (typeof rows)[number];
}

export async function applyStagedInvoices(trx: Trx, teamId: string, now: Date): Promise<AppliedInvoices> {
  const counts = await applyStagedChunk(trx, teamId, now, 'new');
  const p = await logStagedPayments(trx, teamId, now);
  return { ...counts, touched: counts.touched.map(Number), payments: p.payments, paid: p.paid };
}

/** Logs the payments the applied rows recorded, once each (the source key holds the balance and the invoice's last change). */
export async function logStagedPayments(
  trx: Trx,
  teamId: string,
  now: Date,
): Promise<{ payments: number; paid: number }> {
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
  return payments[0] as (typeof payments)[number];
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
