import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/**
 * The distinct words of a workspace's account names, with how many names hold each: what a
 * mistyped name is matched against, word by word. Names repeat their words (the 100,000 names of
 * the 10,000,000-invoice seed use 83), so a trigram search among the words is small where one
 * among the names is not (20–45 ms a search over 100,000 similar names, however the index is
 * built), and a word's count says which query word narrows the names most. Kept by a
 * statement-level trigger on account_name_words, in the same transaction as the names' change.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table account_name_vocabulary (
    team_id text not null,
    word text collate "C" not null,
    names integer not null,
    primary key (team_id, word)
  )`.execute(db);
  // GIN, not GiST: for the similar words (% and <%); the closest words by distance are a sort of
  // the vocabulary, which is small. A second GiST trigram index (an operator class with an options
  // function) made DROP SCHEMA … CASCADE fail on PostgreSQL 15 with "cache lookup failed for
  // function" (the index dropped after gtrgm_options).
  await sql`create index account_name_vocabulary_trgm_idx
    on account_name_vocabulary using gin (word gin_trgm_ops)`.execute(db);
  await sql`create function account_name_vocabulary_apply() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        update account_name_vocabulary v set names = v.names - o.n
        from (select team_id, word, count(*) as n from old_rows group by team_id, word) as o
        where v.team_id = o.team_id and v.word = o.word;
        delete from account_name_vocabulary v using (select distinct team_id, word from old_rows) as o
        where v.team_id = o.team_id and v.word = o.word and v.names <= 0;
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        insert into account_name_vocabulary (team_id, word, names)
        select team_id, word, count(*) from new_rows group by team_id, word
        on conflict (team_id, word) do update set names = account_name_vocabulary.names + excluded.names;
      end if;
      return null;
    end $$`.execute(db);
  for (const [op, referencing] of [
    ['insert', 'new table as new_rows'],
    ['update', 'old table as old_rows new table as new_rows'],
    ['delete', 'old table as old_rows'],
  ] as const) {
    await sql`create trigger ${sql.raw(`account_name_words_vocabulary_${op}`)} after ${sql.raw(op)}
      on account_name_words referencing ${sql.raw(referencing)}
      for each statement execute function account_name_vocabulary_apply()`.execute(db);
  }
  await sql`insert into account_name_vocabulary (team_id, word, names)
    select team_id, word, count(*) from account_name_words group by team_id, word`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const op of ['insert', 'update', 'delete'])
    await sql`drop trigger ${sql.raw(`account_name_words_vocabulary_${op}`)} on account_name_words`.execute(
      db,
    );
  await sql`drop function account_name_vocabulary_apply()`.execute(db);
  await sql`drop table account_name_vocabulary`.execute(db);
}
