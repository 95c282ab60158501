import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { insertAccounts } from '../../src/db/accounts.ts';
import { insertCollectionUpdate } from '../../src/db/collection-updates.ts';
import { writeHandoff } from '../../src/db/handoffs.ts';
import { saveInstallation } from '../../src/db/installations.ts';
import type { Queryable } from '../../src/db/schema.ts';
import { lookUpStatus, prefixUpperBound, resolveStatusQuery, warmStatusLookup } from '../../src/db/status.ts';
import { disputeContext, disputeContexts } from '../../src/flows/dispute-context.ts';
import { useTestDatabase } from '../support/db.ts';
import { aDeal, addDays, anAccount, anInstallation, anInvoice, TEAM, unique } from '../support/rows.ts';

const TODAY = '2026-06-15';
const SETTINGS = { creditHoldDays: 60, teamUrl: null };
const database = useTestDatabase();

/** Code point order, the order of the "C" collation (JS compares UTF-16 code units). */
function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) as number) - (y[i]?.codePointAt(0) as number);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

describe('the word-prefix range', () => {
  it('holds exactly the strings that start with the prefix', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 6 });
    fc.assert(
      fc.property(text, text, (prefix, rest) => {
        fc.pre(prefix !== '');
        const hi = prefixUpperBound(prefix);
        const within = (s: string) => compareCodePoints(s, prefix) >= 0 && compareCodePoints(s, hi) < 0;
        expect(within(prefix + rest)).toBe(true);
        expect(within(rest)).toBe(rest.startsWith(prefix));
      }),
    );
  });
});

describe('db/status lookup function', () => {
  it('finds names by a word prefix outside ASCII, and no others', async () => {
    const { db } = database;
    const zurich = await anAccount(db, { name: 'Ökobau Zürich' });
    await anAccount(db, { name: 'Zuber Holz' });
    expect(await resolveStatusQuery(db, TEAM, 'zü')).toEqual({ kind: 'account', accountId: zurich.id });
    expect(await resolveStatusQuery(db, TEAM, 'ökob')).toEqual({ kind: 'account', accountId: zurich.id });
  });

  it("quotes each disputed invoice's deal as the per-invoice path finds it, in the one statement", async () => {
    const { db } = database;
    const account = await anAccount(db, { name: 'Dispute Context Works' });
    const older = await aDeal(db, account, {
      name: 'First order',
      closed_at: new Date('2026-01-01T12:00:00Z'),
    });
    await aDeal(db, account, { name: 'Renewal', closed_at: new Date('2026-05-01T12:00:00Z') });
    await db.transaction().execute((trx) =>
      writeHandoff(
        trx,
        {
          teamId: TEAM,
          dealId: older.id,
          fields: { hasSpecialTerms: true, specialTerms: '10% off year one', paymentTerms: 'net_30' },
          complete: true,
          submittedBy: 'U0REP',
          at: new Date('2026-01-02T09:00:00Z'),
        },
        undefined,
      ),
    );
    const ofOlder = await anInvoice(db, account, {
      number: 'DC-1',
      deal_id: older.id,
      due_on: addDays(TODAY, -20),
      dispute_state: 'open',
    });
    const ofNone = await anInvoice(db, account, {
      number: 'DC-2',
      due_on: addDays(TODAY, -10),
      dispute_state: 'open',
    });
    await anInvoice(db, account, { number: 'DC-3', due_on: addDays(TODAY, -5) });
    for (const [invoice, reason] of [
      [ofOlder, 'discount_missing_or_wrong'],
      [ofNone, 'po_missing_or_wrong'],
    ] as const) {
      await insertCollectionUpdate(db, {
        team_id: TEAM,
        account_id: account.id,
        invoice_id: invoice.id,
        kind: 'dispute_opened',
        dispute_reason: reason,
        author_user_id: 'U0AR',
        created_at: new Date('2026-06-10T10:00:00Z'),
      });
    }
    const { status, disputes } = await lookUpStatus(db, TEAM, 'Dispute Context Works', TODAY, SETTINGS);
    if (!status) throw new Error('no status');
    const contexts = disputeContexts(disputes, status.problemInvoices, 3);
    expect(contexts.map((c) => c.number)).toEqual(['DC-1', 'DC-2']);
    expect(contexts).toEqual([
      { number: 'DC-1', context: await disputeContext(db, TEAM, ofOlder.id, 'discount_missing_or_wrong') },
      { number: 'DC-2', context: await disputeContext(db, TEAM, ofNone.id, 'po_missing_or_wrong') },
    ]);
    expect(contexts[0]?.context.dealName).toBe('First order');
    expect(contexts[1]?.context).toMatchObject({
      dealName: 'Renewal',
      fromLatestDeal: true,
      submitted: null,
    });
  });

  it('finds names containing the text inside a word, in name order, and across words', async () => {
    const { db } = database;
    const team = `T0IN${unique()}`;
    const [tall, small, other] = await insertAccounts(
      db,
      team,
      ['Zeta Megastores', 'Alpha Minimegas', 'Omega Partners'].map((name) => ({ crmId: null, name })),
    );
    const pick = await resolveStatusQuery(db, team, 'egas');
    expect(pick.kind === 'pick' && pick.candidates.map((c) => c.accountId)).toEqual([small?.id, tall?.id]);
    expect(await resolveStatusQuery(db, team, 'ega part')).toEqual({ kind: 'account', accountId: other?.id });
  });

  it('finds text with a space in every name containing it, whatever the vocabulary check skips', async () => {
    const { db } = database;
    const words = ['omega', 'mega', 'parts', 'partners', 'north', 'holdings', 'ltd', 'a.b.'];
    const nameArb = fc
      .array(fc.constantFrom(...words), { minLength: 2, maxLength: 4 })
      .map((w) => w.join(' '));
    await fc.assert(
      fc.asyncProperty(
        fc.array(nameArb, { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        async (names, pick, from, to) => {
          const team = `T0SP${unique()}`;
          const accounts = await insertAccounts(
            db,
            team,
            names.map((name) => ({ crmId: null, name })),
          );
          // A piece of one name that crosses a space, cut anywhere inside its words.
          const name = names[pick % names.length] as string;
          const spaces = [...name.matchAll(/ /g)].map((m) => m.index);
          const space = spaces[from % spaces.length] as number;
          const start = from % (space + 1);
          const end = space + 2 + (to % (name.length - space - 1));
          const text = name.slice(start, end).trim();
          fc.pre(text.includes(' ') && !names.includes(text));
          const containing = accounts
            .filter((a) => a.name_key.includes(text))
            .sort((a, b) => (a.name_key < b.name_key ? -1 : a.name_key > b.name_key ? 1 : a.id - b.id))
            .slice(0, 8)
            .map((a) => a.id);
          const found = await resolveStatusQuery(db, team, text);
          if (containing.length === 1) expect(found).toEqual({ kind: 'account', accountId: containing[0] });
          else expect(found.kind === 'pick' && found.candidates.map((c) => c.accountId)).toEqual(containing);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('orders equally close names by name, then by account, in pick lists and closest names alike', async () => {
    const { db } = database;
    const team = `T0TIE${unique()}`;
    const accounts = await insertAccounts(
      db,
      team,
      ['Hooli LLC', 'Hooli LLC', 'Hooli LLC', 'Acme Partners', 'Açaí Partners', 'Acme Partners'].map(
        (name) => ({
          crmId: null,
          name,
        }),
      ),
    );
    const ids = accounts.map((a) => a.id);
    const typo = await resolveStatusQuery(db, team, 'Holi LLC');
    expect(typo.kind === 'pick' && typo.candidates.map((c) => c.accountId)).toEqual(
      ids.slice(0, 3).sort((a, b) => a - b),
    );
    // No word is like its words: the names holding the closest words (all as far: by word), ties by name.
    const none = await resolveStatusQuery(db, team, 'Zzqx Wvvkt');
    expect(none).toEqual({ kind: 'none', closest: ['Acme Partners', 'Acme Partners', 'Açaí Partners'] });
  });

  it("links the account's thread with an installed workspace's own URL, read in the same call", async () => {
    const { db } = database;
    const team = `T0URL${unique()}`;
    await saveInstallation(db, anInstallation(team, { teamUrl: 'https://installed.slack.com/' }));
    const account = await anAccount(db, { teamId: team, name: 'Linked Thread Works' });
    await db
      .updateTable('accounts')
      .set({ thread_channel: 'C0FIN', thread_ts: '1700000000.000200' })
      .where('id', '=', account.id)
      .execute();
    const { status } = await lookUpStatus(db, team, 'Linked Thread Works', TODAY, SETTINGS);
    expect(status?.threadUrl).toBe('https://installed.slack.com/archives/C0FIN/p1700000000000200');
  });

  it('warms its plans on an empty workspace and on one with accounts', async () => {
    await warmStatusLookup(database.db, 3);
    expect((await resolveStatusQuery(database.db, TEAM, 'warm-up.invalid')).kind).toBe('none');
    expect((await resolveStatusQuery(database.db, TEAM, 'warm-up invalid name')).kind).toBe('none');
  });

  it("takes as a short word's typos the words with one letter more or two letters swapped, and no others", async () => {
    const word = fc.string({
      unit: fc.constantFrom('a', 'b', 'ü', '.', '%', '\\'),
      minLength: 1,
      maxLength: 6,
    });
    await fc.assert(
      fc.asyncProperty(word, async (w) => {
        const { rows } = await sql<{ edits: string[] }>`select ar_status_edits(${w}) as edits`.execute(
          database.db,
        );
        const chars = Array.from(w);
        const expected = new Set([
          w,
          ...chars.map((_, k) => [...chars.slice(0, k), ...chars.slice(k + 1)].join('')),
        ]);
        for (let k = 0; k + 1 < chars.length; k++) {
          const swapped = [...chars];
          [swapped[k], swapped[k + 1]] = [swapped[k + 1] as string, swapped[k] as string];
          expected.add(swapped.join(''));
        }
        expect(new Set(rows[0]?.edits)).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('finds mistyped names among many distinct words, short words and first words included', async () => {
    const { db } = database;
    const team = `T0MANY${unique()}`;
    // A made-up word per name, as a real customer list has thousands of distinct words.
    const syllables = ['ka', 'lo', 'mi', 'nu', 'pe', 'ra', 'so', 'ti', 'vu', 'ze'];
    const madeUp = (i: number) =>
      [i % 10, Math.floor(i / 10) % 10, Math.floor(i / 100) % 10].map((d) => syllables[d]).join('');
    const accounts = await insertAccounts(db, team, [
      { crmId: null, name: 'Acme Rocket Supplies' },
      { crmId: null, name: 'Orion Lumen GK' },
      { crmId: null, name: 'Zenith Labs' },
      { crmId: null, name: 'Lab Depot' },
      ...Array.from({ length: 400 }, (_, i) => ({ crmId: null, name: `${madeUp(i)} Trading` })),
    ]);
    const [acme, orion, zenith] = accounts;
    // Two letters of a short first word swapped: too few trigrams in common to be similar.
    expect(await resolveStatusQuery(db, team, 'Amce Rocket Supplies')).toEqual({
      kind: 'account',
      accountId: acme?.id,
    });
    // A short word mistyped, among the others.
    expect(await resolveStatusQuery(db, team, 'Orion Lumen KG')).toEqual({
      kind: 'account',
      accountId: orion?.id,
    });
    // A short word is also the start of longer ones, even when it is a word of its own elsewhere
    // (out of order: no name contains the text).
    expect(await resolveStatusQuery(db, team, 'lab zenith')).toEqual({
      kind: 'account',
      accountId: zenith?.id,
    });
    expect(await resolveStatusQuery(db, team, 'kalomi tradign')).toEqual({
      kind: 'account',
      accountId: accounts.find((a) => a.name === 'kalomi Trading')?.id,
    });
    // Nothing like any word: still the closest names, three of them.
    const none = await resolveStatusQuery(db, team, 'Qzxw Vvkj');
    expect(none.kind === 'none' && none.closest.length).toBe(3);
  });

  it('finds a mistyped name whatever the order of its words, and gives closest names for unknown text', async () => {
    const { db } = database;
    const target = await anAccount(db, { name: 'Wonka Confectionery Industries' });
    await anAccount(db, { name: 'Wonka Logistics' });
    expect(await resolveStatusQuery(db, TEAM, 'wonka confectionary industries')).toEqual({
      kind: 'account',
      accountId: target.id,
    });
    expect(await resolveStatusQuery(db, TEAM, 'industries confectionary wonka')).toEqual({
      kind: 'account',
      accountId: target.id,
    });
    const none = await resolveStatusQuery(db, TEAM, 'Wonkz Qqqqq');
    expect(none.kind === 'none' && none.closest.length).toBeGreaterThan(0);
  });
});

const nameChange = fc.oneof(
  fc.record({
    kind: fc.constant('add' as const),
    names: fc.array(fc.constantFrom('acme corp', 'Acme Labs', 'beta  corp', 'Gamma'), {
      minLength: 1,
      maxLength: 3,
    }),
  }),
  fc.record({
    kind: fc.constant('rename' as const),
    n: fc.nat(5),
    name: fc.constantFrom('Acme Acme', 'delta corp', 'Gamma'),
  }),
  fc.record({ kind: fc.constant('delete' as const), n: fc.nat(5) }),
);

class Rollback extends Error {}

describe('account_name_vocabulary', () => {
  it('equals the distinct words of the names, with their counts, after any changes, committed or rolled back', async () => {
    const { db } = database;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ change: nameChange, rollback: fc.boolean() }), { minLength: 1, maxLength: 8 }),
        async (changes) => {
          const team = `T0VOC${unique()}`;
          for (const { change, rollback } of changes) {
            const run = async (q: Queryable) => {
              const ids = (
                await q
                  .selectFrom('accounts')
                  .select('id')
                  .where('team_id', '=', team)
                  .orderBy('id')
                  .execute()
              ).map((a) => a.id);
              if (change.kind === 'add')
                await insertAccounts(
                  q,
                  team,
                  change.names.map((name) => ({ crmId: null, name })),
                );
              else if (change.kind === 'rename' && ids.length > 0)
                await q
                  .updateTable('accounts')
                  .set({ name: change.name, name_key: change.name.toLowerCase() })
                  .where('id', '=', ids[change.n % ids.length] as number)
                  .execute();
              else if (change.kind === 'delete' && ids.length > 0)
                await q
                  .deleteFrom('accounts')
                  .where('id', '=', ids[change.n % ids.length] as number)
                  .execute();
            };
            if (!rollback) await run(db);
            else
              await db
                .transaction()
                .execute(async (trx) => {
                  await run(trx);
                  throw new Rollback();
                })
                .catch((error: unknown) => {
                  if (!(error instanceof Rollback)) throw error;
                });
          }
          const { rows: stored } = await sql`select word, names from account_name_vocabulary
            where team_id = ${team} order by word`.execute(db);
          const { rows: recomputed } =
            await sql`select word, count(*)::integer as names from account_name_words
            where team_id = ${team} group by word order by word`.execute(db);
          expect(stored).toEqual(recomputed);
        },
      ),
      { numRuns: 30 },
    );
  });
});
