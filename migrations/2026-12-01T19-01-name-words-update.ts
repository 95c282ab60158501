import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/**
 * The name words' trigger finds the accounts whose name changed by set difference instead of a join
 * of the statement's old and new rows. PL/pgSQL keeps the plan of its first call, made when the
 * transition tables held a row or two, so the join stayed a nested loop: every old row against every
 * new one, 0.5 s for an UPDATE of 1,000 accounts (credit hold put on after an import) that changed
 * no name. EXCEPT hashes or sorts whatever the estimate, so the cost follows the rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create or replace function account_name_words_apply() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into account_name_words (team_id, word, name_key, account_id)
        select distinct n.team_id, w, n.name_key, n.id
        from new_rows n cross join lateral regexp_split_to_table(n.name_key, ' ') as w where w <> '';
      elsif tg_op = 'UPDATE' then
        delete from account_name_words aw
        using (select id, name_key, team_id from old_rows except select id, name_key, team_id from new_rows) o
        where aw.account_id = o.id;
        insert into account_name_words (team_id, word, name_key, account_id)
        select distinct n.team_id, w, n.name_key, n.id
        from (select id, name_key, team_id from new_rows except select id, name_key, team_id from old_rows) n
          cross join lateral regexp_split_to_table(n.name_key, ' ') as w
        where w <> '';
      else
        delete from account_name_words aw using old_rows o where aw.account_id = o.id;
      end if;
      return null;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create or replace function account_name_words_apply() returns trigger language plpgsql as $$
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
}
