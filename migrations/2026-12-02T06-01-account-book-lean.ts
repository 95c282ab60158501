import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/**
 * The account book's share of an insert of invoices, made lighter where an import of 1,000,000 rows
 * spent it (about a quarter of each 50,000-row chunk's statement: some 19,000 accounts per chunk,
 * nearly all with an entry already):
 * - an entry is made only for an account that has none (looked up first): trying to make it for
 *   every account took a speculative insertion that then conflicted, for each of them;
 * - the entries' oldest due dates are moved and the entries to recompute found in one statement,
 *   grouping the new rows once;
 * - `account_book` no longer has a foreign key to accounts: an entry is made only from its account
 *   (joined), exists only while the account has open invoices (the refresh removes it otherwise),
 *   and an account with invoices cannot be deleted (`invoices_account_id_fkey`), so the key's
 *   cascade never had anything to do; its check ran for every entry made, and for every update of
 *   an entry made in the same transaction.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table account_book drop constraint account_book_account_id_fkey`.execute(db);
  await sql`create or replace function account_book_invoices_apply() returns trigger language plpgsql as $$
    declare
      ids integer[];
    begin
      if tg_op = 'INSERT' then
        -- New open invoices. An account with no entry had no open invoice: its entry is made from
        -- these alone (a concurrent transaction making the same entry is waited for). An entry
        -- whose account had a positive balance keeps it when none of them is negative, and its
        -- oldest due date is the older of the two. Only the others (negative amounts, balances
        -- that were not positive) are recomputed from the invoices. An import adds invoices to
        -- thousands of accounts.
        with made as (
          insert into account_book (account_id, team_id, owner_user_id, name, oldest_due_on, positive)
          select a.id, a.team_id, a.owner_user_id, a.name, n.oldest, n.positive
          from (select account_id, min(oldest) as oldest, bool_or(cents > 0) as positive from (
              select account_id, sum(balance_cents) as cents, min(due_on) as oldest
              from new_rows where status = 'open' group by account_id, currency) as c
            group by account_id) as n
          join accounts a on a.id = n.account_id
          where not exists (select 1 from account_book b where b.account_id = n.account_id)
          on conflict (account_id) do nothing
          returning account_id
        )
        select array_agg(n.account_id) into ids
        from (select distinct account_id from new_rows where status = 'open') as n
        where n.account_id not in (select account_id from made);
        if ids is null then
          return null;
        end if;
        perform 1 from account_book where account_id = any(ids) order by account_id for update;
        -- One pass over the new rows for both: the dates moved, and the entries to recompute.
        with n as (
          select account_id, min(due_on) as oldest, bool_and(balance_cents >= 0) as nonnegative
          from new_rows where status = 'open' group by account_id
        ), moved as (
          update account_book b set oldest_due_on = n.oldest
          from n
          where b.account_id = any(ids) and b.account_id = n.account_id and b.positive and n.nonnegative
            and n.oldest < b.oldest_due_on
        )
        select array_agg(n.account_id) into ids
        from n join account_book b on b.account_id = n.account_id
        where b.account_id = any(ids) and not (b.positive and n.nonnegative);
      elsif tg_op = 'DELETE' then
        select array_agg(distinct account_id) into ids from old_rows where status = 'open';
      else
        select array_agg(distinct account_id) into ids from (
          (select id, account_id, status, balance_cents, due_on, currency from new_rows
            except select id, account_id, status, balance_cents, due_on, currency from old_rows)
          union all
          (select id, account_id, status, balance_cents, due_on, currency from old_rows
            except select id, account_id, status, balance_cents, due_on, currency from new_rows)
        ) as changed where status = 'open';
      end if;
      if ids is not null then
        perform account_book_refresh(ids);
      end if;
      return null;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create or replace function account_book_invoices_apply() returns trigger language plpgsql as $$
    declare
      ids integer[];
    begin
      if tg_op = 'INSERT' then
        -- New open invoices. An account with no entry had no open invoice: its entry is made from
        -- these alone (a concurrent transaction making the same entry is waited for). An entry
        -- whose account had a positive balance keeps it when none of them is negative, and its
        -- oldest due date is the older of the two. Only the others (negative amounts, balances
        -- that were not positive) are recomputed from the invoices. An import adds invoices to
        -- thousands of accounts.
        with made as (
          insert into account_book (account_id, team_id, owner_user_id, name, oldest_due_on, positive)
          select a.id, a.team_id, a.owner_user_id, a.name, n.oldest, n.positive
          from (select account_id, min(oldest) as oldest, bool_or(cents > 0) as positive from (
              select account_id, sum(balance_cents) as cents, min(due_on) as oldest
              from new_rows where status = 'open' group by account_id, currency) as c
            group by account_id) as n
          join accounts a on a.id = n.account_id
          on conflict (account_id) do nothing
          returning account_id
        )
        select array_agg(n.account_id) into ids
        from (select distinct account_id from new_rows where status = 'open') as n
        where n.account_id not in (select account_id from made);
        if ids is null then
          return null;
        end if;
        perform 1 from account_book where account_id = any(ids) order by account_id for update;
        update account_book b set oldest_due_on = n.oldest
        from (select account_id, min(due_on) as oldest, bool_and(balance_cents >= 0) as nonnegative
          from new_rows where status = 'open' group by account_id) as n
        where b.account_id = any(ids) and b.account_id = n.account_id and b.positive and n.nonnegative
          and n.oldest < b.oldest_due_on;
        select array_agg(n.account_id) into ids
        from (select account_id, bool_and(balance_cents >= 0) as nonnegative
          from new_rows where status = 'open' group by account_id) as n
        join account_book b on b.account_id = n.account_id
        where b.account_id = any(ids) and not (b.positive and n.nonnegative);
      elsif tg_op = 'DELETE' then
        select array_agg(distinct account_id) into ids from old_rows where status = 'open';
      else
        select array_agg(distinct account_id) into ids from (
          (select id, account_id, status, balance_cents, due_on, currency from new_rows
            except select id, account_id, status, balance_cents, due_on, currency from old_rows)
          union all
          (select id, account_id, status, balance_cents, due_on, currency from old_rows
            except select id, account_id, status, balance_cents, due_on, currency from new_rows)
        ) as changed where status = 'open';
      end if;
      if ids is not null then
        perform account_book_refresh(ids);
      end if;
      return null;
    end $$`.execute(db);
  await sql`delete from account_book b where not exists (select 1 from accounts a where a.id = b.account_id)`.execute(
    db,
  );
  await sql`alter table account_book add constraint account_book_account_id_fkey
    foreign key (account_id) references accounts (id) on delete cascade`.execute(db);
}
