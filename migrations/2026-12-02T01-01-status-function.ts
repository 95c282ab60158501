import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/**
 * /ar-status in one call of one function, whose statements PL/pgSQL plans once per connection and
 * keeps: the status statement took 2–14 ms to plan on every request, more than it took to run.
 *
 * Its plans are generic from the first call (`plan_cache_mode`): with the values known, the planner
 * costs pg_trgm's operators as nearly free and may pick a scan; every statement's generic plan here
 * reads an index, and the one-off custom plans of a connection's first five calls cost more to make.
 *
 * `ar_status_lookup` finds what the text is about, step by step, each step running only when the
 * ones before found nothing: an exact invoice number, a domain, an exact name, a word of a name
 * starting with the text (a range of the C-collated words btree, given as bounds so that a cached
 * plan keeps it: a LIKE with a parameter would lose it), names containing the text, names similar
 * to it by trigrams, else the three closest names. When that is one account (or the call names
 * one), it adds the account, the workspace's URL when it installed the app, its open invoices, its latest deal and handoff, its last three
 * collection updates, its open disputes' reasons, and the deals (with their handoffs) of its open
 * disputed invoices, which the answer quotes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Candidates found by one step (a JSON array, null when none): one is the answer, several a pick list.
  await sql`create function ar_status_one_or_pick(candidates json) returns json
    language sql immutable as $$
      select case
        when candidates is null then null
        when json_array_length(candidates) = 1
          then json_build_object('kind', 'account', 'accountId', candidates -> 0 -> 'id')
        else json_build_object('kind', 'pick', 'candidates', candidates)
      end
    $$`.execute(db);
  await sql`create function ar_status_lookup(
      p_team text, p_number text, p_key text, p_domain text, p_word_lo text, p_word_hi text,
      p_word_like text, p_contains text, p_account integer)
    returns json language plpgsql stable set plan_cache_mode = force_generic_plan as $$
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
        elsif found is null and p_contains is not null then
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
          qwords := array(select w from regexp_split_to_table(p_key, ' ') as w where w <> '' limit 6);
          for i in 1 .. coalesce(array_length(qwords, 1), 0) loop
            select array_agg(word order by d, word), sum(names) into matches, n from (
              select word, names, word <-> qwords[i] as d from account_name_vocabulary
              where team_id = p_team and (word % qwords[i] or qwords[i] <% word)
              order by d limit 5) as m;
            if i = 1 then
              -- The name's first word starts the range: its five closest words, similar or not
              -- (a swap of two letters can leave a short word with few trigrams in common).
              first_matches := matches;
              first_near := array(select word from account_name_vocabulary
                where team_id = p_team order by word <-> qwords[1] limit 5);
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
          if array_length(qwords, 1) = 1 then
            cands := array(select account_id from account_name_words
              where team_id = p_team and word = any(first_matches) limit 64);
          elsif rare_matches is not null then
            cands := array(select distinct w.account_id from unnest(first_near) as f
              cross join lateral (select account_id from account_name_words
                where team_id = p_team and word = any(rare_matches) and name_key >= f || ' ' and name_key < f || '!'
                  and (second_matches is null or string_to_array(name_key, ' ') && second_matches)
                  and (third_matches is null or string_to_array(name_key, ' ') && third_matches)
                limit 128) as w);
          end if;
          if coalesce(cardinality(cands), 0) = 0 and rare_matches is not null then
              cands := array(select account_id from account_name_words
                where team_id = p_team and word = any(rare_matches)
                  and (first_matches is null or string_to_array(name_key, ' ') && first_matches)
                  and (second_matches is null or string_to_array(name_key, ' ') && second_matches)
                  and (third_matches is null or string_to_array(name_key, ' ') && third_matches)
                limit 128);
          end if;
          if cardinality(cands) > 0 then
            select case
              when count(*) = 0 then null
              when count(*) = 1 or max(score) filter (where rn = 1) - max(score) filter (where rn = 2) >= 0.15
                then json_build_object('kind', 'account', 'accountId', min(id) filter (where rn = 1))
              else json_build_object('kind', 'pick', 'candidates', json_agg(
                json_build_object('id', id, 'name', name, 'domain', domain, 'owner_user_id', owner_user_id)
                order by rn) filter (where best - score < 0.15))
            end into found
            from (
              select *, row_number() over (order by score desc, name_key) as rn, max(score) over () as best from (
                select id, name, domain, owner_user_id, name_key,
                  (similarity(name_key, p_key) + 0.5 * word_similarity(p_key, name_key))::float8 as score
                from accounts
                where id = any(cands) and team_id = p_team and (name_key % p_key or p_key <% name_key)
                order by score desc, name_key limit 8) as t) as t;
          end if;
        end if;
        -- Else the three closest names among those holding a word closest to one of the query's.
        if found is null then
          select json_build_object('kind', 'none', 'closest', json_agg(name order by distance, name_key)) into found
          from (select a.name, a.name_key, a.name_key <-> p_key as distance from accounts a
            where a.team_id = p_team and a.id in (
              select w.account_id from unnest(qwords) as q
                cross join lateral (select word from account_name_vocabulary
                  where team_id = p_team order by word <-> q limit 2) as v
                cross join lateral (select account_id from account_name_words
                  where team_id = p_team and word = v.word limit 16) as w)
            order by distance limit 3) as n;
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
      return json_build_object(
        'found', found,
        'account', account_row,
        'team_url', (select team_url from installations where team_id = p_team),
        'open', (select json_agg(json_build_object('id', id, 'number', number, 'balance_cents', balance_cents,
            'amount_cents', amount_cents, 'currency', currency, 'due_on', due_on, 'dispute_state', dispute_state,
            'promise_date', promise_date, 'deal_id', deal_id))
          from invoices where account_id = acc and status = 'open'),
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
        'reasons', (select json_agg(r) from (
          select distinct on (cu.invoice_id) cu.invoice_id, cu.dispute_reason
          from invoices i join collection_updates cu on cu.invoice_id = i.id
          where i.account_id = acc and i.status = 'open' and i.dispute_state = 'open'
            and cu.kind = 'dispute_opened' and cu.dispute_reason is not null and cu.dispute_reason <> ''
          order by cu.invoice_id, cu.created_at desc, cu.id desc) as r),
        'dispute_deals', (select json_agg(d) from (
          select deals.id, deals.name, deals.currency, deals.prefill, handoffs.fields, handoffs.complete,
            handoffs.submitted_by, handoffs.submitted_at
          from deals left join handoffs on handoffs.deal_id = deals.id
          where deals.team_id = p_team and deals.id in (
            select deal_id from invoices
            where account_id = acc and status = 'open' and dispute_state = 'open' and deal_id is not null)) as d)
      );
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function ar_status_lookup(text, text, text, text, text, text, text, text, integer)`.execute(
    db,
  );
}
