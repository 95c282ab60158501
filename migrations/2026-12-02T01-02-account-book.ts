import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/**
 * A rep's book without reading the rep's open invoices: `account_book` holds, per account with open
 * invoices, what orders the book and decides whether the account is on it (its oldest open due
 * date, whether any currency's open balance is positive) and what finds it (workspace, owner,
 * name). `/ar-status` for a rep then reads the fifteen worst entries in the order of one index
 * (and counts the rest in it), and only for those reads the invoices (the largest book of the 10,000,000-invoice seed:
 * 5,000 accounts and 32,000 open invoices, 543 ms of SQL per request before).
 *
 * Kept in the same transaction as the changes by statement-level triggers with transition tables:
 * the accounts a statement touched are recomputed from their open invoices (a minimum cannot be
 * taken back by a delta). An UPDATE finds them by set difference on the columns the book depends
 * on, so that updates of other columns (a sweep's ping threshold) touch nothing; PostgreSQL allows
 * no `UPDATE OF <columns>` on a trigger with transition tables. Renames and new owners follow by a
 * trigger on accounts. The price, as for the ledger's rollup: a transaction that changes an account's
 * invoices holds its entry until it commits, and a concurrent change to the same account's invoices
 * waits for it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table account_book (
    account_id integer primary key references accounts (id) on delete cascade,
    team_id text not null,
    owner_user_id text,
    name text not null,
    oldest_due_on date not null,
    positive boolean not null
  )`.execute(db);
  // The book's order for its overdue accounts (oldest due date, then name); the rest go by name.
  await sql`create index account_book_owner_idx
    on account_book (team_id, owner_user_id, oldest_due_on, lower(name), name, account_id) where positive`.execute(
    db,
  );
  // Recomputes the accounts' entries from their open invoices. Two transactions changing invoices
  // of one account at once would each compute from a snapshot without the other's change, so the
  // entries are locked first (an entry is made for an account that has none, to have a row to
  // lock): the second waits for the first to commit, then computes from what it committed.
  await sql`create function account_book_lock(ids integer[]) returns void language plpgsql as $$
    begin
      insert into account_book (account_id, team_id, owner_user_id, name, oldest_due_on, positive)
      select id, team_id, owner_user_id, name, 'infinity', false from accounts where id = any(ids)
      on conflict (account_id) do nothing;
      perform 1 from account_book where account_id = any(ids) order by account_id for update;
    end $$`.execute(db);
  // (An entry made here has the oldest due date 'infinity' until its statement recomputes it.)
  await sql`create function account_book_refresh(ids integer[]) returns void language plpgsql as $$
    begin
      perform account_book_lock(ids);
      with computed as (
        select a.id, a.team_id, a.owner_user_id, a.name, o.oldest, o.positive
        from (
          select account_id, min(oldest) as oldest, bool_or(cents > 0) as positive from (
            select account_id, sum(balance_cents) as cents, min(due_on) as oldest
            from invoices where account_id = any(ids) and status = 'open'
            group by account_id, currency) as c
          group by account_id) as o
        join accounts a on a.id = o.account_id
      ), changed as (
        update account_book b
        set team_id = c.team_id, owner_user_id = c.owner_user_id, name = c.name,
          oldest_due_on = c.oldest, positive = c.positive
        from computed c
        where b.account_id = c.id and (b.team_id, b.owner_user_id, b.name, b.oldest_due_on, b.positive)
          is distinct from (c.team_id, c.owner_user_id, c.name, c.oldest, c.positive)
      )
      delete from account_book where account_id = any(ids) and account_id not in (select id from computed);
    end $$`.execute(db);
  await sql`create function account_book_invoices_apply() returns trigger language plpgsql as $$
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
  await sql`create trigger invoices_book_insert after insert on invoices
    referencing new table as new_rows for each statement execute function account_book_invoices_apply()`.execute(
    db,
  );
  await sql`create trigger invoices_book_update after update on invoices
    referencing old table as old_rows new table as new_rows
    for each statement execute function account_book_invoices_apply()`.execute(db);
  await sql`create trigger invoices_book_delete after delete on invoices
    referencing old table as old_rows for each statement execute function account_book_invoices_apply()`.execute(
    db,
  );
  await sql`create function account_book_accounts_apply() returns trigger language plpgsql as $$
    begin
      update account_book b set team_id = n.team_id, owner_user_id = n.owner_user_id, name = n.name
      from (select id, team_id, owner_user_id, name from new_rows
        except select id, team_id, owner_user_id, name from old_rows) as n
      where b.account_id = n.id;
      return null;
    end $$`.execute(db);
  await sql`create trigger accounts_book_update after update on accounts
    referencing old table as old_rows new table as new_rows
    for each statement execute function account_book_accounts_apply()`.execute(db);
  // The book of one rep, as of a day: the `p_lines` worst accounts (oldest open due date first, then
  // by name) with their open invoices summed per currency, and how many accounts the book holds.
  await sql`create function ar_status_book(p_team text, p_user text, p_today date, p_lines integer)
    returns json language plpgsql stable set plan_cache_mode = force_generic_plan as $$
    declare
      shown integer[];
      result json;
    begin
      -- The worst first: the overdue accounts in the index's order, then, when they are fewer
      -- than p_lines, the others by name.
      shown := array(select account_id from account_book
        where team_id = p_team and owner_user_id = p_user and positive and oldest_due_on < p_today
        order by oldest_due_on, lower(name), name, account_id limit p_lines);
      if cardinality(shown) < p_lines then
        shown := shown || array(select account_id from account_book
          where team_id = p_team and owner_user_id = p_user and positive and oldest_due_on >= p_today
          order by lower(name), name, account_id limit p_lines - cardinality(shown));
      end if;
      select json_build_object(
        'total', (select count(*) from account_book
          where team_id = p_team and owner_user_id = p_user and positive),
        'rows', coalesce((select json_agg(r order by r.id, r.currency) from (
          select a.id, a.name, a.owner_user_id, a.credit_hold, i.currency, sum(i.balance_cents) as open,
            coalesce(sum(i.balance_cents) filter (where i.due_on < p_today), 0) as overdue,
            coalesce(max(p_today - i.due_on), 0) as worst,
            count(*) filter (where i.dispute_state = 'open') as disputes
          from unnest(shown) as s (account_id) join accounts a on a.id = s.account_id
            join invoices i on i.account_id = a.id and i.status = 'open'
          group by a.id, i.currency) as r), '[]'::json)) into result;
      return result;
    end $$`.execute(db);
  await sql`select account_book_refresh(array(select distinct account_id from invoices where status = 'open'))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger accounts_book_update on accounts`.execute(db);
  await sql`drop trigger invoices_book_insert on invoices`.execute(db);
  await sql`drop trigger invoices_book_update on invoices`.execute(db);
  await sql`drop trigger invoices_book_delete on invoices`.execute(db);
  await sql`drop function account_book_accounts_apply()`.execute(db);
  await sql`drop function account_book_invoices_apply()`.execute(db);
  await sql`drop function ar_status_book(text, text, date, integer)`.execute(db);
  await sql`drop function account_book_refresh(integer[])`.execute(db);
  await sql`drop function account_book_lock(integer[])`.execute(db);
  await sql`drop table account_book`.execute(db);
}
