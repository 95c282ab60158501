import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/**
 * An invoice's account and deal checked once per account and deal a statement names, not once per
 * invoice. A foreign key checks every inserted row with a query of its own (`select 1 from accounts
 * … for key share`): of the 1.5 s that 100,000 new invoices take to insert, the two keys took
 * 0.4 s, for the 1,200 accounts of such a file (and 100,000 calls of the deal key's trigger for
 * invoices that name no deal). The keys `invoices_account_id_fkey` and `invoices_deal_id_fkey` are
 * replaced by triggers that hold the same rule, with the same names and messages:
 * - after an INSERT, one statement per key locks each named account (deal) `for key share`, as the
 *   foreign key's check does (a concurrent delete of it waits for this transaction, and one that
 *   deleted it first makes it missing here), and finds any pair (workspace, account) that no row
 *   of accounts (deals) has;
 * - after an UPDATE that changes an invoice's workspace, account or deal, the same for that row;
 * - after a DELETE of accounts (deals), or an UPDATE of their workspace or id, any invoice left
 *   naming them fails the statement (nothing in the app deletes either).
 * A violation raises `foreign_key_violation` (23503) naming the constraint, as the foreign key did.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table invoices drop constraint invoices_account_id_fkey`.execute(db);
  await sql`alter table invoices drop constraint invoices_deal_id_fkey`.execute(db);

  // The foreign key's own error: which key, and the pair no row has.
  await sql`create function invoices_references_missing(
      p_constraint text, p_column text, p_table text, p_team text, p_id integer)
    returns void language plpgsql as $$
    begin
      raise foreign_key_violation using
        message = format('insert or update on table "invoices" violates foreign key constraint "%s"', p_constraint),
        detail = format('Key (team_id, %s)=(%s, %s) is not present in table "%s".', p_column, p_team, p_id, p_table),
        constraint = p_constraint, table = 'invoices';
    end $$`.execute(db);

  // The lateral subqueries lock each pair's row (once per distinct pair); a pair without one is
  // missing. A locking subquery is never flattened, so each is an index lookup.
  await sql`create function invoices_references_insert() returns trigger language plpgsql as $$
    declare
      missing record;
    begin
      select n.team_id, n.account_id into missing
      from (select distinct team_id, account_id from new_rows) as n
        left join lateral (select a.id from accounts a where a.id = n.account_id and a.team_id = n.team_id
          for key share) as found on true
      where found.id is null limit 1;
      if found then
        perform invoices_references_missing('invoices_account_id_fkey', 'account_id', 'accounts',
          missing.team_id, missing.account_id);
      end if;
      select n.team_id, n.deal_id into missing
      from (select distinct team_id, deal_id from new_rows where deal_id is not null) as n
        left join lateral (select d.id from deals d where d.id = n.deal_id and d.team_id = n.team_id
          for key share) as found on true
      where found.id is null limit 1;
      if found then
        perform invoices_references_missing('invoices_deal_id_fkey', 'deal_id', 'deals', missing.team_id, missing.deal_id);
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger invoices_references_insert after insert on invoices
    referencing new table as new_rows for each statement execute function invoices_references_insert()`.execute(
    db,
  );

  await sql`create function invoices_references_update() returns trigger language plpgsql as $$
    begin
      perform 1 from accounts where id = new.account_id and team_id = new.team_id for key share;
      if not found then
        perform invoices_references_missing('invoices_account_id_fkey', 'account_id', 'accounts',
          new.team_id, new.account_id);
      end if;
      if new.deal_id is not null then
        perform 1 from deals where id = new.deal_id and team_id = new.team_id for key share;
        if not found then
          perform invoices_references_missing('invoices_deal_id_fkey', 'deal_id', 'deals',
            new.team_id, new.deal_id);
        end if;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger invoices_references_update after update of team_id, account_id, deal_id on invoices
    for each row when (old.team_id is distinct from new.team_id or old.account_id is distinct from new.account_id
      or old.deal_id is distinct from new.deal_id)
    execute function invoices_references_update()`.execute(db);

  // Accounts and deals that invoices still name cannot go, nor change their key (the foreign keys'
  // NO ACTION): after a DELETE, one statement finds any such invoice; an UPDATE of the key (which
  // nothing in the app makes) is checked row by row, and only when it changes.
  await sql`create function invoices_referenced_raise(p_table text, p_constraint text, p_team text, p_id integer)
    returns void language plpgsql as $$
    begin
      raise foreign_key_violation using
        message = format('update or delete on table "%s" violates foreign key constraint "%s" on table "invoices"',
          p_table, p_constraint),
        detail = format('Key (team_id, id)=(%s, %s) is still referenced from table "invoices".', p_team, p_id),
        constraint = p_constraint, table = p_table;
    end $$`.execute(db);
  await sql`create function invoices_referenced_delete() returns trigger language plpgsql as $$
    declare
      held record;
    begin
      if tg_table_name = 'accounts' then
        select o.team_id, o.id into held from old_rows o
        where exists (select 1 from invoices i where i.account_id = o.id and i.team_id = o.team_id) limit 1;
      else
        select o.team_id, o.id into held from old_rows o
        where exists (select 1 from invoices i where i.deal_id = o.id and i.team_id = o.team_id) limit 1;
      end if;
      if found then
        perform invoices_referenced_raise(tg_table_name, tg_argv[0], held.team_id, held.id);
      end if;
      return null;
    end $$`.execute(db);
  await sql`create function invoices_referenced_update() returns trigger language plpgsql as $$
    begin
      if tg_table_name = 'accounts' then
        perform 1 from invoices where account_id = old.id and team_id = old.team_id limit 1;
      else
        perform 1 from invoices where deal_id = old.id and team_id = old.team_id limit 1;
      end if;
      if found then
        perform invoices_referenced_raise(tg_table_name, tg_argv[0], old.team_id, old.id);
      end if;
      return null;
    end $$`.execute(db);
  for (const [table, constraint] of [
    ['accounts', 'invoices_account_id_fkey'],
    ['deals', 'invoices_deal_id_fkey'],
  ] as const) {
    await sql`create trigger ${sql.raw(`${table}_invoices_delete`)} after delete on ${sql.raw(table)}
      referencing old table as old_rows for each statement
      execute function invoices_referenced_delete(${sql.lit(constraint)})`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_invoices_update`)} after update of id, team_id on ${sql.raw(table)}
      for each row when (old.id <> new.id or old.team_id <> new.team_id)
      execute function invoices_referenced_update(${sql.lit(constraint)})`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['accounts', 'deals']) {
    await sql`drop trigger ${sql.raw(`${table}_invoices_delete`)} on ${sql.raw(table)}`.execute(db);
    await sql`drop trigger ${sql.raw(`${table}_invoices_update`)} on ${sql.raw(table)}`.execute(db);
  }
  await sql`drop trigger invoices_references_insert on invoices`.execute(db);
  await sql`drop trigger invoices_references_update on invoices`.execute(db);
  await sql`drop function invoices_referenced_update()`.execute(db);
  await sql`drop function invoices_referenced_delete()`.execute(db);
  await sql`drop function invoices_referenced_raise(text, text, text, integer)`.execute(db);
  await sql`drop function invoices_references_update()`.execute(db);
  await sql`drop function invoices_references_insert()`.execute(db);
  await sql`drop function invoices_references_missing(text, text, text, text, integer)`.execute(db);
  await sql`alter table invoices add constraint invoices_account_id_fkey
    foreign key (team_id, account_id) references accounts (team_id, id)`.execute(db);
  await sql`alter table invoices add constraint invoices_deal_id_fkey
    foreign key (team_id, deal_id) references deals (team_id, id)`.execute(db);
}
