import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/**
 * The ledger's headline without reading the invoices: open balance, count and open disputes per
 * (workspace, currency, due date), and per workspace the accounts on credit hold and the deals whose
 * handoff is missing or incomplete. Statement-level triggers with transition tables keep both in the
 * same transaction as every change (whoever writes it: the app, a bulk import, a hand-written fix),
 * at one aggregate per statement, not one per row. Aging and overdue move with "today", so they are
 * derived when read, from the due dates. A due date whose last open invoice closes leaves the rollup.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table ledger_rollup (
    team_id text not null,
    currency text not null,
    due_on date not null,
    open_cents bigint not null,
    open_count integer not null,
    disputed_count integer not null,
    primary key (team_id, currency, due_on)
  )`.execute(db);
  await sql`create index ledger_rollup_empty_idx on ledger_rollup (team_id) where open_count = 0`.execute(db);
  await sql`create table ledger_counters (
    team_id text primary key,
    accounts_on_hold integer not null default 0,
    handoffs_waiting integer not null default 0
  )`.execute(db);

  // Invoices: what each statement added (new open rows) minus what it took away (old open rows).
  await sql`create function ledger_rollup_apply() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into ledger_rollup as r (team_id, currency, due_on, open_cents, open_count, disputed_count)
        select team_id, currency, due_on, sum(balance_cents), count(*), count(*) filter (where dispute_state = 'open')
        from new_rows where status = 'open'
        group by team_id, currency, due_on
        order by team_id, currency, due_on
        on conflict (team_id, currency, due_on) do update set
          open_cents = r.open_cents + excluded.open_cents,
          open_count = r.open_count + excluded.open_count,
          disputed_count = r.disputed_count + excluded.disputed_count;
        return null;
      end if;
      if tg_op = 'UPDATE' then
        insert into ledger_rollup as r (team_id, currency, due_on, open_cents, open_count, disputed_count)
        select team_id, currency, due_on, sum(cents), sum(n), sum(disputed)
        from (
          select team_id, currency, due_on, balance_cents::bigint as cents, 1 as n,
            (dispute_state = 'open')::int as disputed
          from new_rows where status = 'open'
          union all
          select team_id, currency, due_on, -balance_cents::bigint, -1, -(dispute_state = 'open')::int
          from old_rows where status = 'open'
        ) as delta
        group by team_id, currency, due_on
        having sum(cents) <> 0 or sum(n) <> 0 or sum(disputed) <> 0
        order by team_id, currency, due_on
        on conflict (team_id, currency, due_on) do update set
          open_cents = r.open_cents + excluded.open_cents,
          open_count = r.open_count + excluded.open_count,
          disputed_count = r.disputed_count + excluded.disputed_count;
      else
        insert into ledger_rollup as r (team_id, currency, due_on, open_cents, open_count, disputed_count)
        select team_id, currency, due_on, -sum(balance_cents), -count(*), -count(*) filter (where dispute_state = 'open')
        from old_rows where status = 'open'
        group by team_id, currency, due_on
        order by team_id, currency, due_on
        on conflict (team_id, currency, due_on) do update set
          open_cents = r.open_cents + excluded.open_cents,
          open_count = r.open_count + excluded.open_count,
          disputed_count = r.disputed_count + excluded.disputed_count;
      end if;
      delete from ledger_rollup where open_count = 0;
      return null;
    end $$`.execute(db);
  await sql`create trigger invoices_ledger_insert after insert on invoices
    referencing new table as new_rows for each statement execute function ledger_rollup_apply()`.execute(db);
  await sql`create trigger invoices_ledger_update after update on invoices
    referencing old table as old_rows new table as new_rows
    for each statement execute function ledger_rollup_apply()`.execute(db);
  await sql`create trigger invoices_ledger_delete after delete on invoices
    referencing old table as old_rows for each statement execute function ledger_rollup_apply()`.execute(db);

  // Accounts on credit hold: held rows added minus held rows taken away, per workspace.
  await sql`create function ledger_holds_apply() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into ledger_counters as c (team_id, accounts_on_hold)
        select team_id, count(*) from new_rows where credit_hold group by team_id order by team_id
        on conflict (team_id) do update set accounts_on_hold = c.accounts_on_hold + excluded.accounts_on_hold;
      elsif tg_op = 'UPDATE' then
        insert into ledger_counters as c (team_id, accounts_on_hold)
        select team_id, sum(n) from (
          select team_id, 1 as n from new_rows where credit_hold
          union all
          select team_id, -1 from old_rows where credit_hold
        ) as delta group by team_id having sum(n) <> 0 order by team_id
        on conflict (team_id) do update set accounts_on_hold = c.accounts_on_hold + excluded.accounts_on_hold;
      else
        insert into ledger_counters as c (team_id, accounts_on_hold)
        select team_id, -count(*) from old_rows where credit_hold group by team_id order by team_id
        on conflict (team_id) do update set accounts_on_hold = c.accounts_on_hold + excluded.accounts_on_hold;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger accounts_ledger_insert after insert on accounts
    referencing new table as new_rows for each statement execute function ledger_holds_apply()`.execute(db);
  await sql`create trigger accounts_ledger_update after update on accounts
    referencing old table as old_rows new table as new_rows
    for each statement execute function ledger_holds_apply()`.execute(db);
  await sql`create trigger accounts_ledger_delete after delete on accounts
    referencing old table as old_rows for each statement execute function ledger_holds_apply()`.execute(db);

  // Handoffs waiting = deals − complete handoffs (a handoff belongs to one deal, of its workspace).
  for (const [table, counted, sign] of [
    ['deals', 'true', '(1)'],
    ['handoffs', 'complete', '(-1)'],
  ] as const) {
    const fn = sql.raw(`ledger_${table}_apply`);
    const when = sql.raw(counted);
    const s = sql.raw(sign);
    await sql`create function ${fn}() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          insert into ledger_counters as c (team_id, handoffs_waiting)
          select team_id, ${s} * count(*) from new_rows where ${when} group by team_id order by team_id
          on conflict (team_id) do update set handoffs_waiting = c.handoffs_waiting + excluded.handoffs_waiting;
        elsif tg_op = 'UPDATE' then
          insert into ledger_counters as c (team_id, handoffs_waiting)
          select team_id, ${s} * sum(n) from (
            select team_id, 1 as n from new_rows where ${when}
            union all
            select team_id, -1 from old_rows where ${when}
          ) as delta group by team_id having sum(n) <> 0 order by team_id
          on conflict (team_id) do update set handoffs_waiting = c.handoffs_waiting + excluded.handoffs_waiting;
        else
          insert into ledger_counters as c (team_id, handoffs_waiting)
          select team_id, -${s} * count(*) from old_rows where ${when} group by team_id order by team_id
          on conflict (team_id) do update set handoffs_waiting = c.handoffs_waiting + excluded.handoffs_waiting;
        end if;
        return null;
      end $$`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_ledger_insert`)} after insert on ${sql.table(table)}
      referencing new table as new_rows for each statement execute function ${fn}()`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_ledger_update`)} after update on ${sql.table(table)}
      referencing old table as old_rows new table as new_rows for each statement execute function ${fn}()`.execute(
      db,
    );
    await sql`create trigger ${sql.raw(`${table}_ledger_delete`)} after delete on ${sql.table(table)}
      referencing old table as old_rows for each statement execute function ${fn}()`.execute(db);
  }

  // What the rows say today.
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
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['invoices', 'accounts', 'deals', 'handoffs']) {
    for (const op of ['insert', 'update', 'delete']) {
      await sql`drop trigger ${sql.raw(`${table}_ledger_${op}`)} on ${sql.table(table)}`.execute(db);
    }
  }
  await sql`drop function ledger_handoffs_apply()`.execute(db);
  await sql`drop function ledger_deals_apply()`.execute(db);
  await sql`drop function ledger_holds_apply()`.execute(db);
  await sql`drop function ledger_rollup_apply()`.execute(db);
  await sql`drop table ledger_counters`.execute(db);
  await sql`drop table ledger_rollup`.execute(db);
}
