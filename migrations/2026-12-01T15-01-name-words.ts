import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/**
 * Every word of every account's name_key, for /ar-status's candidate search: "fir" finds the names
 * with a word starting with "fir" by a range of a btree, in index order, and stops at the first
 * few, however short the prefix and however many names match (a trigram index cannot do that for
 * two or three letters, and pg_trgm's operators make the planner prefer a scan). The columns are
 * in the "C" collation, so that LIKE 'fir%' is a range of the index and its order is the ORDER BY's.
 * Kept by a statement-level trigger on accounts, in the same transaction as the name's change.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table account_name_words (
    team_id text not null,
    word text collate "C" not null,
    name_key text collate "C" not null,
    account_id integer not null
  )`.execute(db);
  await sql`create index account_name_words_prefix_idx
    on account_name_words (team_id, word, name_key, account_id)`.execute(db);
  await sql`create index account_name_words_account_idx on account_name_words (account_id)`.execute(db);
  await sql`create function account_name_words_apply() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into account_name_words (team_id, word, name_key, account_id)
        select distinct n.team_id, w, n.name_key, n.id
        from new_rows n cross join lateral regexp_split_to_table(n.name_key, ' ') as w where w <> '';
      elsif tg_op = 'UPDATE' then
        delete from account_name_words aw using old_rows o join new_rows n on n.id = o.id
        where aw.account_id = o.id and (n.name_key, n.team_id) is distinct from (o.name_key, o.team_id);
        insert into account_name_words (team_id, word, name_key, account_id)
        select distinct n.team_id, w, n.name_key, n.id
        from new_rows n join old_rows o on o.id = n.id
          cross join lateral regexp_split_to_table(n.name_key, ' ') as w
        where w <> '' and (n.name_key, n.team_id) is distinct from (o.name_key, o.team_id);
      else
        delete from account_name_words aw using old_rows o where aw.account_id = o.id;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger accounts_words_insert after insert on accounts
    referencing new table as new_rows for each statement execute function account_name_words_apply()`.execute(
    db,
  );
  await sql`create trigger accounts_words_update after update on accounts
    referencing old table as old_rows new table as new_rows
    for each statement execute function account_name_words_apply()`.execute(db);
  await sql`create trigger accounts_words_delete after delete on accounts
    referencing old table as old_rows for each statement execute function account_name_words_apply()`.execute(
    db,
  );
  await sql`insert into account_name_words (team_id, word, name_key, account_id)
    select distinct a.team_id, w, a.name_key, a.id
    from accounts a cross join lateral regexp_split_to_table(a.name_key, ' ') as w where w <> ''`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const op of ['insert', 'update', 'delete']) {
    await sql`drop trigger ${sql.raw(`accounts_words_${op}`)} on accounts`.execute(db);
  }
  await sql`drop function account_name_words_apply()`.execute(db);
  await sql`drop table account_name_words`.execute(db);
}
