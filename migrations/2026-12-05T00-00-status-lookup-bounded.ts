import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/**
 * `ar_status_lookup` without a scan of the names' vocabulary (the distinct words of the names),
 * which a real customer list makes tens of thousands of words long: 87,376 words for 100,000
 * accounts took a mistyped name 113 ms, where the bench seed's 83 words took 0.9 ms. Every step now
 * reads an index, for a bounded number of rows (migration 2026-12-02T03-00-status-lookup-lean has
 * the rest of the function's story):
 *
 * - Text with a space is looked for inside names only when some name can hold it, as before, now
 *   from three index lookups instead of one pass over every word (36 ms at 87,376): a word starts
 *   with its last word (a range of the vocabulary's key), its inner words are words (the key), a
 *   word ends with its first word (a range of a new index of the words reversed; the trigram
 *   index could answer `like '%word'`, but the function's generic plans cannot see the pattern,
 *   and the planner read the whole key instead, 13 ms).
 * - A word under four letters, and a word the names have as typed, are matched by the words they
 *   are with one letter more or two letters swapped, and the first five words starting with them,
 *   from the vocabulary's key: a short word's few trigrams made the similarity search recheck
 *   every word sharing its first letter's (5,472 for "kk" at 87,376 words), and a common word's,
 *   every word sharing enough of its trigrams (hundreds for "pied", 2-3 ms). The trigram search is
 *   left to the words no name has: the mistyped ones.
 * - The similar names' range starts from the first word's similar words (the trigram index, as the
 *   other words') and the words that are it with one letter more or two letters swapped (the key:
 *   2n lookups for a word of n letters), the five closest; before, the five closest words of the
 *   whole vocabulary, similar or not (79 ms at 87,376: no index orders by trigram distance, and a
 *   GiST index, which can, read all of itself for a short word: 12-16 ms).
 * - Unknown text's closest names hold each query word's two closest similar words, already found;
 *   a word with none contributes the words before and after it in the vocabulary's order (the
 *   key), where before it was the two closest of all by trigram distance (a scan per word).
 */
export async function up(db: Kysely<any>): Promise<void> {
  // A word ending with the text's first word: a range of the words reversed (C, as the words).
  await sql`create index account_name_vocabulary_reversed_idx
    on account_name_vocabulary (team_id, reverse(word))`.execute(db);
  // A word, and the words it is with one letter more (each letter left out in turn) or with two
  // neighbouring letters swapped: the typos trigrams miss in a short word.
  await sql`create function ar_status_edits(w text) returns text[] language sql immutable parallel safe as $$
    select array(select w
      union select left(w, k - 1) || substr(w, k + 1) from generate_series(1, length(w)) as k
      union select left(w, k - 1) || substr(w, k + 1, 1) || substr(w, k, 1) || substr(w, k + 2)
        from generate_series(1, length(w) - 1) as k)
  $$`.execute(db);
  await sql`create or replace function ar_status_lookup(
      p_team text, p_number text, p_key text, p_domain text, p_word_lo text, p_word_hi text,
      p_word_like text, p_contains text, p_account integer)
    returns json language plpgsql stable
    set plan_cache_mode = force_generic_plan set enable_seqscan = off as $$
    declare
      found json;
      acc integer;
      account_row json;
      qwords text[];
      matches text[];
      n bigint;
      first_matches text[];
      first_near text[];
      rare_matches text[];
      rare_names bigint;
      second_matches text[];
      second_names bigint;
      third_matches text[];
      third_names bigint;
      cands integer[];
      cand_keys text[];
      similar_at float8;
      word_similar_at float8;
      text_words text[];
      inner_words text[];
      near_words text[];
      lonely_words text[];
      by_key boolean;
      open_json json;
      disputed integer[];
      disputed_deals integer[];
    begin
      if p_account is not null then
        found := json_build_object('kind', 'account', 'accountId', p_account);
      else
        select json_build_object('kind', 'account', 'accountId', account_id) into found
        from invoices where team_id = p_team and lower(number) = p_number limit 1;
        if found is null and p_domain is not null then
          select ar_status_one_or_pick(json_agg(json_build_object(
              'id', id, 'name', name, 'domain', domain, 'owner_user_id', owner_user_id) order by name_key, id))
            into found
          from (select id, name, domain, owner_user_id, name_key from accounts
            where team_id = p_team and lower(domain) = p_domain order by name_key, id limit 8) as d;
        end if;
        if found is null then
          select ar_status_one_or_pick(json_agg(json_build_object(
              'id', id, 'name', name, 'domain', domain, 'owner_user_id', owner_user_id) order by id))
            into found
          from (select * from (
              -- name_key = p_key, in the form only the name's pattern btree answers (byte order):
              -- for an equality a generic plan may take the trigram index, which reads many short
              -- names to find none; OFFSET 0 keeps ORDER BY id from choosing the primary key.
              select id, name, domain, owner_user_id from accounts
              where team_id = p_team and name_key ~>=~ p_key and name_key ~<=~ p_key offset 0) as e
            order by id limit 8) as e;
        end if;
        if found is null and p_word_lo is not null then
          select ar_status_one_or_pick(json_agg(json_build_object(
              'id', a.id, 'name', a.name, 'domain', a.domain, 'owner_user_id', a.owner_user_id) order by w.first))
            into found
          from (
            select account_id, min(ord) as first from (
              select account_id, row_number() over (order by word, name_key, account_id) as ord from (
                select word, name_key, account_id from account_name_words
                where team_id = p_team and word >= p_word_lo and word < p_word_hi and word like p_word_like
                order by word, name_key, account_id limit 32) as m) as m
            group by account_id order by first limit 8) as w
          join accounts a on a.id = w.account_id;
        end if;
        text_words := string_to_array(p_key, ' ');
        qwords := text_words[1:6];
        inner_words := array(select distinct w from unnest(text_words[2:cardinality(text_words) - 1]) as w);
        -- Names containing the text. One word is inside a word of the name: the names' words that
        -- contain it (from the vocabulary), and each one's first eight names (a range of the words
        -- btree). Text with a space: the trigram index, at most 64 names (OFFSET 0 keeps ORDER BY
        -- from choosing the name btree, which would read every name to find a rare one).
        if found is null and p_contains is not null and p_key not like '% %' then
          select ar_status_one_or_pick(json_agg(json_build_object(
              'id', id, 'name', name, 'domain', domain, 'owner_user_id', owner_user_id) order by name_key, id))
            into found
          from (select id, name, domain, owner_user_id, name_key from accounts
            where team_id = p_team and id in (
              select w.account_id from account_name_vocabulary v
                cross join lateral (select account_id from account_name_words
                  where team_id = p_team and word = v.word order by name_key, account_id limit 8) as w
              where v.team_id = p_team and v.word like p_contains)
            order by name_key, id limit 8) as c;
        elsif found is null and p_contains is not null
            -- Only when some name can contain it: a word starts with its last word, its inner words
            -- are words, a word ends with its first word (a mistyped or made-up word is none). Each
            -- from an index: a range of the vocabulary's key, its key, a range of its reversed words.
            and exists (select from account_name_vocabulary where team_id = p_team
              and word >= text_words[cardinality(text_words)]
              and word < text_words[cardinality(text_words)] || chr(1114111))
            and (select count(*) from account_name_vocabulary where team_id = p_team
                and word = any(inner_words)) = cardinality(inner_words)
            and exists (select from account_name_vocabulary where team_id = p_team
              and reverse(word) >= reverse(text_words[1])
              and reverse(word) < reverse(text_words[1]) || chr(1114111)) then
          select ar_status_one_or_pick(json_agg(json_build_object(
              'id', id, 'name', name, 'domain', domain, 'owner_user_id', owner_user_id) order by name_key, id))
            into found
          from (select * from (
              select id, name, domain, owner_user_id, name_key from accounts
              where team_id = p_team and name_key like p_contains offset 0 limit 64) as c
            order by name_key, id limit 8) as c;
        end if;
        -- Similar names: each query word's closest words among the names' words (up to five similar
        -- by trigrams; a word with none is left out); the names starting with a match of the
        -- query's first word and holding matches of its three rarest other words (a range of the
        -- words btree, filtered), or else holding matches of all four; at most 128, ranked by
        -- trigram similarity to the whole text as before.
        if found is null then
          for i in 1 .. coalesce(array_length(qwords, 1), 0) loop
            by_key := length(qwords[i]) < 4 or exists (select from account_name_vocabulary
              where team_id = p_team and word = qwords[i]);
            if by_key then
              -- A word of the names as typed, or a short word (too few trigrams for similarity to
              -- tell much, and the commonest of them, its first letter's, would have every word
              -- starting with that letter checked): the word itself, one letter more or two swapped,
              -- and the first words starting with it ("lab", "labs"), from the vocabulary's key. The
              -- trigram search, which rechecks every word sharing enough of its trigrams (hundreds of
              -- a large vocabulary for a common four-letter word), is left to the words no name has.
              select array_agg(word order by d, word), sum(names) into matches, n from (
                select word, names, word <-> qwords[i] as d from (
                  select word, names from account_name_vocabulary
                  where team_id = p_team and word = any(ar_status_edits(qwords[i]))
                  union select * from (select word, names from account_name_vocabulary
                    where team_id = p_team and word >= qwords[i] and word < qwords[i] || chr(1114111)
                    order by word limit 5) as starting) as v
                order by d, word limit 5) as m;
            else
              -- word % q or q <% word, each from the vocabulary's trigram index (a union: an OR of
              -- the two would be a scan comparing every word).
              select array_agg(word order by d, word), sum(names) into matches, n from (
                select word, names, word <-> qwords[i] as d from (
                  select team_id, word, names from account_name_vocabulary where word % qwords[i]
                  union select team_id, word, names from account_name_vocabulary where qwords[i] <% word) as v
                where team_id = p_team
                order by d, word limit 5) as m;
            end if;
            -- For the closest names, should nothing be found: each word's two closest similar words.
            if matches is null then
              lonely_words := lonely_words || qwords[i];
            else
              near_words := near_words || matches[1:2];
            end if;
            if i = 1 then
              -- The name's first word starts the range: its similar words, and the words it is with
              -- one letter more or two letters swapped (a swap can leave a short word with too few
              -- trigrams in common to be similar), the five closest. Keys of the vocabulary: never a
              -- scan of it, which a real customer list makes tens of thousands of words long. A word
              -- matched by key has its edits among its matches already.
              first_matches := matches;
              if by_key then
                first_near := coalesce(matches, '{}');
              else
                first_near := array(select word from (
                    select unnest(matches) as word
                    union select word from account_name_vocabulary
                    where team_id = p_team and word = any(ar_status_edits(qwords[1]))) as w
                  order by word <-> qwords[1], word limit 5);
              end if;
              continue;
            end if;
            continue when matches is null;
            if rare_names is null or n < rare_names then
              third_matches := second_matches;
              third_names := second_names;
              second_matches := rare_matches;
              second_names := rare_names;
              rare_matches := matches;
              rare_names := n;
            elsif second_names is null or n < second_names then
              third_matches := second_matches;
              third_names := second_names;
              second_matches := matches;
              second_names := n;
            elsif third_names is null or n < third_names then
              third_matches := matches;
              third_names := n;
            end if;
          end loop;
          -- The candidates come with their name keys (the words btree holds them), so that they
          -- are ranked without reading accounts; the eight kept are read from it.
          if array_length(qwords, 1) = 1 then
            select array_agg(account_id), array_agg(name_key) into cands, cand_keys from (
              select account_id, name_key from account_name_words
              where team_id = p_team and word = any(first_matches) limit 64) as w;
          elsif rare_matches is not null then
            select array_agg(account_id), array_agg(name_key) into cands, cand_keys from (
              select w.account_id, w.name_key from unnest(first_near) as f
                cross join lateral (select account_id, name_key from account_name_words
                  where team_id = p_team and word = any(rare_matches) and name_key >= f || ' ' and name_key < f || '!'
                    and (second_matches is null or string_to_array(name_key, ' ') && second_matches)
                    and (third_matches is null or string_to_array(name_key, ' ') && third_matches)
                  limit 128) as w) as w;
          end if;
          if coalesce(cardinality(cands), 0) = 0 and rare_matches is not null then
            select array_agg(account_id), array_agg(name_key) into cands, cand_keys from (
              select account_id, name_key from account_name_words
              where team_id = p_team and word = any(rare_matches)
                and (first_matches is null or string_to_array(name_key, ' ') && first_matches)
                and (second_matches is null or string_to_array(name_key, ' ') && second_matches)
                and (third_matches is null or string_to_array(name_key, ' ') && third_matches)
              limit 128) as w;
          end if;
          if cardinality(cands) > 0 then
            -- name_key % p_key or p_key <% name_key, from the similarities the score is made of.
            similar_at := current_setting('pg_trgm.similarity_threshold')::float8;
            word_similar_at := current_setting('pg_trgm.word_similarity_threshold')::float8;
            select case
              when count(*) = 0 then null
              when count(*) = 1 or max(score) filter (where rn = 1) - max(score) filter (where rn = 2) >= 0.15
                then json_build_object('kind', 'account', 'accountId', min(id) filter (where rn = 1))
              else json_build_object('kind', 'pick', 'candidates', json_agg(
                json_build_object('id', id, 'name', name, 'domain', domain, 'owner_user_id', owner_user_id)
                order by rn) filter (where best - score < 0.15))
            end into found
            from (
              select a.id, a.name, a.domain, a.owner_user_id, t.score,
                row_number() over (order by t.score desc, t.name_key, t.id) as rn, max(t.score) over () as best
              from (
                select c.id, c.name_key, (m.s + 0.5 * m.ws)::float8 as score
                -- OFFSET 0: each similarity once per name (inlined, the filter and the score would
                -- each compute them again).
                from (select distinct id, name_key from unnest(cands, cand_keys) as c(id, name_key)) as c
                  cross join lateral (select similarity(c.name_key, p_key) as s,
                    word_similarity(p_key, c.name_key) as ws offset 0) as m
                where m.s >= similar_at or m.ws >= word_similar_at
                order by score desc, c.name_key, c.id limit 8) as t
              join accounts a on a.id = t.id and a.team_id = p_team) as t;
          end if;
        end if;
        -- Else the three closest names among those holding a word close to one of the query's
        -- (each query word's two closest similar words; for a word with none, the words before and
        -- after it in the vocabulary's order; sixteen names each), ranked by the name keys the words
        -- btree holds; only those three are read from accounts.
        if found is null then
          select json_build_object('kind', 'none', 'closest', json_agg(a.name order by c.distance, c.name_key, c.account_id))
            into found
          from (select account_id, name_key, name_key <-> p_key as distance from (
              select distinct w.account_id, w.name_key from (
                  select unnest(near_words) as word
                  union select n.word from unnest(lonely_words) as q
                    cross join lateral (
                      select max(word) as word from account_name_vocabulary where team_id = p_team and word < q
                      union all
                      select min(word) from account_name_vocabulary where team_id = p_team and word > q) as n
                  where n.word is not null) as v
                cross join lateral (select account_id, name_key from account_name_words
                  where team_id = p_team and word = v.word order by name_key, account_id limit 16) as w) as w
            order by distance, name_key, account_id limit 3) as c
          join accounts a on a.id = c.account_id and a.team_id = p_team;
        end if;
      end if;
      if found->>'kind' = 'account' then
        select id, row_to_json(a) into acc, account_row from (
          select id, name, domain, owner_user_id, credit_hold, credit_limit_cents, credit_limit_currency,
            thread_channel, thread_ts
          from accounts where team_id = p_team and id = (found->>'accountId')::integer) as a;
      end if;
      if acc is null then
        return json_build_object('found', found, 'account', null);
      end if;
      -- By column: one array per field, in the same row order (a third of the time and size of
      -- an object per invoice, for an account with a hundred open invoices).
      select case when count(*) > 0 then json_build_object('id', json_agg(id), 'number', json_agg(number),
          'balance_cents', json_agg(balance_cents), 'amount_cents', json_agg(amount_cents),
          'currency', json_agg(currency), 'due_on', json_agg(due_on), 'dispute_state', json_agg(dispute_state),
          'promise_date', json_agg(promise_date), 'deal_id', json_agg(deal_id)) end,
        array_agg(id) filter (where dispute_state = 'open'),
        array_agg(distinct deal_id) filter (where dispute_state = 'open' and deal_id is not null)
        into open_json, disputed, disputed_deals
      from invoices where account_id = acc and status = 'open';
      return json_build_object(
        'found', found,
        'account', account_row,
        'team_url', (select team_url from installations where team_id = p_team),
        'open', open_json,
        'deal', (select row_to_json(d) from (
          select deals.id, deals.name, deals.currency, deals.prefill, handoffs.fields, handoffs.complete,
            handoffs.submitted_by, handoffs.submitted_at
          from deals left join handoffs on handoffs.deal_id = deals.id
          where deals.team_id = p_team and deals.account_id = acc
          order by deals.closed_at desc, deals.id desc limit 1) as d),
        'updates', (select json_agg(u order by u.created_at desc, u.id desc) from (
          select cu.id, cu.kind, cu.note, cu.author_user_id, cu.created_at, i.number
          from collection_updates cu left join invoices i on i.id = cu.invoice_id
          where cu.account_id = acc
          order by cu.created_at desc, cu.id desc limit 3) as u),
        'reasons', case when disputed is not null then (select json_agg(r) from (
          select distinct on (cu.invoice_id) cu.invoice_id, cu.dispute_reason
          from collection_updates cu
          where cu.invoice_id = any(disputed)
            and cu.kind = 'dispute_opened' and cu.dispute_reason is not null and cu.dispute_reason <> ''
          order by cu.invoice_id, cu.created_at desc, cu.id desc) as r) end,
        'dispute_deals', case when disputed_deals is not null then (select json_agg(d) from (
          select deals.id, deals.name, deals.currency, deals.prefill, handoffs.fields, handoffs.complete,
            handoffs.submitted_by, handoffs.submitted_at
          from deals left join handoffs on handoffs.deal_id = deals.id
          where deals.team_id = p_team and deals.id = any(disputed_deals)) as d) end
      );
    end $$`.execute(db);
}

/** Puts back the function of 2026-12-02T03-00-status-lookup-lean. */
export async function down(db: Kysely<any>): Promise<void> {
  const previous = await import('./2026-12-02T03-00-status-lookup-lean.ts');
  await previous.up(db);
  await sql`drop index account_name_vocabulary_reversed_idx`.execute(db);
  await sql`drop function ar_status_edits(text)`.execute(db);
}
