import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { findAccountsByCrmId, findAccountsByNameKey, nameKey } from '../../src/db/accounts.ts';
import {
  type ApplyMode,
  accountKey,
  applyStagedChunk,
  applyStagedInvoices,
  resolveStagedAccounts,
  stagedLinkedNumbers,
  stagedPayments,
  stageInvoices,
} from '../../src/db/invoice-staging.ts';
import { findInvoicesByNumber } from '../../src/db/invoices.ts';
import type { Trx } from '../../src/db/schema.ts';
import type { InvoiceInput } from '../../src/domain/invoice-input.ts';
import { untilALockIsAwaited, useTestDatabase, usingPostgres } from '../support/db.ts';
import { anAccount, anInvoice, OTHER_TEAM, TEAM, unique } from '../support/rows.ts';

const database = useTestDatabase();
const NOW = new Date('2026-06-15T12:00:00Z');

/** Names and numbers a COPY line must escape (or carry as they are). */
const AWKWARD = [
  'Smith, Jones & "Partners"',
  'Tab\tSeparated Ltd',
  'Two\nLines Inc',
  'Back\\slash \\N Co',
  'Müller GmbH — 株式会社 🚀',
  "O'Brien\r\nand Sons",
];

function row(
  number: string,
  o: Partial<InvoiceInput> & { account?: InvoiceInput['account'] } = {},
): InvoiceInput {
  return {
    number,
    account: { crmId: null, name: `Customer of ${number}` },
    amountCents: 10_000,
    balanceCents: 10_000,
    currency: 'USD',
    issuedOn: '2026-05-01',
    dueOn: '2026-05-31',
    ...o,
  };
}

async function* once(rows: readonly InvoiceInput[]): AsyncGenerator<readonly InvoiceInput[]> {
  yield rows;
}

/** Stages, resolves and applies `rows` in `trx`, as the flow does. */
async function apply(trx: Trx, rows: readonly InvoiceInput[], teamId = TEAM) {
  const staged = await stageInvoices(trx, once(rows));
  const accounts = await resolveStagedAccounts(trx, teamId);
  const applied = await applyStagedInvoices(trx, teamId, NOW);
  return { staged, accounts, applied };
}

describe('db/invoice-staging', () => {
  it('copies awkward text (commas, quotes, tabs, newlines, backslashes, unicode) and stores it exactly', async () => {
    const { db } = database;
    const tag = unique();
    const rows = AWKWARD.map((name, i) =>
      row(`INV-ST${tag}-${i}\t"${i}"`, {
        account: { crmId: i % 2 === 0 ? `CRM, "${tag}"\\${i}` : null, name },
        url: `https://pay.example.com/i?n=${i}&q="a,b"`,
      }),
    );
    const { staged, accounts, applied } = await db.transaction().execute((trx) => apply(trx, rows));
    expect(staged).toBe(AWKWARD.length);
    expect(accounts.created).toBe(AWKWARD.length);
    expect(applied).toMatchObject({ created: AWKWARD.length, updated: 0, unchanged: 0, payments: 0 });
    const stored = await findInvoicesByNumber(
      db,
      TEAM,
      rows.map((r) => r.number),
    );
    expect(stored.map((i) => [i.number, i.url]).sort()).toEqual(rows.map((r) => [r.number, r.url]).sort());
    const named = await findAccountsByNameKey(db, TEAM, AWKWARD.map(nameKey));
    expect(named.map((a) => [a.name, a.name_key, a.crm_id]).sort()).toEqual(
      rows.map((r) => [r.account.name, nameKey(r.account.name as string), r.account.crmId]).sort(),
    );
    expect(applied.touched.sort()).toEqual(named.map((a) => a.id).sort());
  });

  it('matches accounts by CRM id, else by name when either has no CRM id; sets the last credit limit given', async () => {
    const { db } = database;
    const byCrm = await anAccount(db, { name: 'Renamed Since' });
    const byName = await anAccount(db, { crmId: null, name: 'Plain  NAME Corp' });
    const otherCrm = await anAccount(db, { name: 'Has Its Own Crm' });
    const rows = [
      row(`INV-M${unique()}`, { account: { crmId: byCrm.crm_id, name: 'Whatever It Is Called Now' } }),
      row(`INV-M${unique()}`, { account: { crmId: null, name: 'plain name corp' } }),
      row(`INV-M${unique()}`, {
        account: { crmId: 'CRM-NEW-1', name: 'plain name corp', creditLimitCents: 1_000 },
        currency: 'EUR',
      }),
      row(`INV-M${unique()}`, {
        account: { crmId: 'CRM-NEW-1', name: 'plain name corp', creditLimitCents: 5_000 },
      }),
      row(`INV-M${unique()}`, { account: { crmId: 'CRM-NEW-2', name: 'Has its own CRM' } }),
    ];
    const { accounts, applied } = await db.transaction().execute((trx) => apply(trx, rows));
    // CRM-NEW-1 stands in for the name match (that account has no CRM id); CRM-NEW-2 does not.
    expect(accounts.created).toBe(1);
    const stored = new Map(
      (
        await findInvoicesByNumber(
          db,
          TEAM,
          rows.map((r) => r.number),
        )
      ).map((i) => [i.number, i.account_id]),
    );
    const [created] = await findAccountsByCrmId(db, TEAM, ['CRM-NEW-2']);
    expect(rows.map((r) => stored.get(r.number))).toEqual([
      byCrm.id,
      byName.id,
      byName.id,
      byName.id,
      created?.id,
    ]);
    expect(created?.id).not.toBe(otherCrm.id);
    const [limited] = await findAccountsByNameKey(db, TEAM, ['plain name corp']);
    expect(limited).toMatchObject({ id: byName.id, credit_limit_cents: 5_000, credit_limit_currency: 'EUR' });
    expect(applied.created).toBe(5);
  });

  it('counts unchanged rows, updates changed ones, and records a lower balance as one payment', async () => {
    const { db } = database;
    const account = await anAccount(db, { ownerUserId: 'U0REP' });
    const paid = await anInvoice(db, account, { balance_cents: 50_000, url: 'https://pay.example.com/old' });
    const partly = await anInvoice(db, account, { balance_cents: 50_000 });
    const same = await anInvoice(db, account);
    const voided = await anInvoice(db, account);
    const ref = { crmId: account.crm_id, name: account.name };
    const input = (inv: typeof paid, balanceCents: number, o: Partial<InvoiceInput> = {}) =>
      row(inv.number, {
        account: ref,
        amountCents: inv.amount_cents,
        balanceCents,
        issuedOn: inv.issued_on,
        dueOn: inv.due_on,
        ...o,
      });
    const result = await db.transaction().execute(async (trx) => {
      const { applied } = await apply(trx, [
        input(paid, 0),
        input(partly, 20_000),
        input(same, same.balance_cents),
        input(voided, 1_000, { status: 'void' }),
      ]);
      return {
        applied,
        payments: await stagedPayments(trx, 0, 10),
        linked: await stagedLinkedNumbers(trx, '', 10),
      };
    });
    expect(result.applied).toMatchObject({ created: 0, updated: 3, unchanged: 1, payments: 2, paid: 1 });
    expect(result.applied.touched).toEqual([account.id]);
    expect(
      result.payments.map((p) => [
        p.invoice.number,
        p.invoice.status,
        p.amountCents,
        p.account.owner_user_id,
      ]),
    ).toEqual(
      [
        [paid.number, 'paid', 50_000, 'U0REP'],
        [partly.number, 'open', 30_000, 'U0REP'],
      ].sort((a, b) => (a[0] as string).localeCompare(b[0] as string, 'en')),
    );
    // The link was already there, and no deal changed: no first-invoice DM to consider.
    expect(result.linked).toEqual([]);
    const { rows: logged } = await sql<{ invoice_id: number; amount_cents: number; source_key: string }>`
      select invoice_id, amount_cents, source_key from collection_updates
      where invoice_id in (${paid.id}, ${partly.id}, ${voided.id}) order by invoice_id`.execute(db);
    expect(logged).toEqual([
      {
        invoice_id: paid.id,
        amount_cents: 50_000,
        source_key: `import:${paid.number}:0:${paid.updated_at.getTime()}`,
      },
      {
        invoice_id: partly.id,
        amount_cents: 30_000,
        source_key: `import:${partly.number}:20000:${partly.updated_at.getTime()}`,
      },
    ]);
    const [after] = await findInvoicesByNumber(db, TEAM, [paid.number]);
    expect(after).toMatchObject({ status: 'paid', balance_cents: 0, url: 'https://pay.example.com/old' });
    expect(after?.paid_at).toEqual(NOW);
  });

  it('lists the invoices that now carry a link, in pages; another workspace keeps its own numbers', async () => {
    const { db } = database;
    const tag = unique();
    const numbers = [`INV-L${tag}-a`, `INV-L${tag}-b`, `INV-L${tag}-c`];
    const other = await anAccount(db, { teamId: OTHER_TEAM });
    const theirs = await anInvoice(db, other, { number: numbers[0] as string, balance_cents: 7 });
    const pages = await db.transaction().execute(async (trx) => {
      await apply(
        trx,
        numbers.map((n) => row(n, { url: `https://pay.example.com/${n}` })),
      );
      return [await stagedLinkedNumbers(trx, '', 2), await stagedLinkedNumbers(trx, numbers[1] as string, 2)];
    });
    expect(pages).toEqual([numbers.slice(0, 2), numbers.slice(2)]);
    const [kept] = await findInvoicesByNumber(db, OTHER_TEAM, [numbers[0] as string]);
    expect(kept).toMatchObject({ id: theirs.id, balance_cents: 7, account_id: other.id });
  });

  it.each<ApplyMode>(['new', 'known', 'upsert'])(
    'stores new open invoices due on or before the hold line as past it (%s); known ones keep theirs',
    async (mode) => {
      const { db } = database;
      const LINE = '2026-04-16';
      const account = await anAccount(db);
      const ref = { crmId: account.crm_id, name: account.name };
      // Known invoices (not for `new`, which takes every number for new): one the sweep never marked,
      // due long before the line; one it marked, moved after the line.
      const unmarked = mode === 'new' ? null : await anInvoice(db, account, { due_on: '2026-01-31' });
      const marked =
        mode === 'new' ? null : await anInvoice(db, account, { due_on: '2026-01-31', past_hold: true });
      const tag = unique();
      const given = [
        row(`INV-PH${tag}-on`, { account: ref, dueOn: LINE }),
        row(`INV-PH${tag}-after`, { account: ref, dueOn: '2026-04-17' }),
        row(`INV-PH${tag}-paid`, { account: ref, dueOn: '2026-01-31', balanceCents: 0 }),
        row(`INV-PH${tag}-void`, { account: ref, dueOn: '2026-01-31', status: 'void' }),
        row(`INV-PH${tag}-credit`, { account: ref, dueOn: '2026-01-31', balanceCents: -500 }),
        ...(unmarked && marked
          ? [
              row(unmarked.number, { account: ref, dueOn: unmarked.due_on, balanceCents: 1_000 }),
              row(marked.number, { account: ref, dueOn: '2026-05-31' }),
            ]
          : []),
      ];
      const written = await db.transaction().execute(async (trx) => {
        await stageInvoices(trx, once(given));
        await resolveStagedAccounts(trx, TEAM);
        return applyStagedChunk(trx, TEAM, NOW, mode, LINE);
      });
      expect(written).toMatchObject({ created: 5, updated: unmarked ? 2 : 0 });
      const stored = await findInvoicesByNumber(
        db,
        TEAM,
        given.map((r) => r.number),
      );
      const pastHold = Object.fromEntries(
        stored.map((i) => [i.number.replace(`INV-PH${tag}-`, ''), i.past_hold]),
      );
      expect(pastHold).toMatchObject({ on: true, after: false, paid: false, void: false, credit: true });
      if (unmarked && marked) {
        expect(pastHold[unmarked.number]).toBe(false);
        expect(pastHold[marked.number]).toBe(true);
      }
    },
  );

  it('keys accounts by CRM id, else by name key', () => {
    expect(accountKey({ crmId: 'C1', name: 'X' })).toBe('crm:C1');
    expect(accountKey({ crmId: null, name: '  ACME   Corp ' })).toBe('name:acme corp');
  });

  it('refuses a NUL in a value before anything is written', async () => {
    const { db } = database;
    const number = `INV-NUL${unique()}`;
    await expect(
      db
        .transaction()
        .execute((trx) => apply(trx, [row(number, { account: { crmId: null, name: 'a\u0000b' } })])),
    ).rejects.toThrow(/NUL/);
    expect(await findInvoicesByNumber(db, TEAM, [number])).toEqual([]);
  });

  describe.skipIf(!usingPostgres)('a number another transaction inserts while the rows are written', () => {
    /**
     * Another transaction inserts one of the numbers and holds it uncommitted while the rows are
     * applied, first written `first`; it commits (or rolls back) once the writing waits for it.
     */
    async function race(first: ApplyMode, other: 'commit' | 'rollback') {
      const { db } = database;
      const tag = unique();
      const numbers = [`INV-R${tag}-1`, `INV-R${tag}-2`, `INV-R${tag}-3`];
      let applying: Promise<Awaited<ReturnType<typeof applyStagedChunk>>> | undefined;
      let waited = false;
      const theirs = db.transaction().execute(async (trx) => {
        await apply(trx, [
          row(numbers[1] as string, { account: { crmId: null, name: `Other ${tag}` }, amountCents: 5_000 }),
        ]);
        applying = db.transaction().execute(async (mine) => {
          await stageInvoices(mine, once(numbers.map((n) => row(n))));
          await resolveStagedAccounts(mine, TEAM);
          return applyStagedChunk(mine, TEAM, NOW, first);
        });
        waited = await untilALockIsAwaited(db);
        if (other === 'rollback') throw new Error('rolled back');
      });
      await theirs.catch(() => {});
      if (!applying) throw new Error('the rows were not applied');
      const counts = await applying;
      const stored = await findInvoicesByNumber(db, TEAM, numbers);
      // The rows were written while the other transaction held the number: they waited for it.
      expect(waited).toBe(true);
      return { counts, stored: stored.sort((a, b) => a.id - b.id), numbers };
    }

    it.each(['new', 'known', 'upsert'] as const)(
      'waits for it, then updates what it committed (first written as %s): every row applied, no error',
      async (first) => {
        const { counts, stored, numbers } = await race(first, 'commit');
        expect(stored.map((i) => [i.number, i.amount_cents])).toEqual(
          [numbers[1], numbers[0], numbers[2]].map((n) => [n, 10_000]),
        );
        const accounts = await findAccountsByNameKey(
          database.db,
          TEAM,
          numbers.map((n) => nameKey(`Customer of ${n}`)),
        );
        expect(new Set(stored.map((i) => i.account_id))).toEqual(new Set(accounts.map((a) => a.id)));
        expect(counts.created + counts.updated).toBe(3);
        // Tried again, the rows find the committed number known (the upsert alone counts it as new).
        if (first !== 'upsert') expect(counts).toMatchObject({ created: 2, updated: 1 });
      },
    );

    it('inserts every row when the other transaction rolls back', async () => {
      const { counts, stored, numbers } = await race('new', 'rollback');
      expect(counts).toMatchObject({ created: 3, updated: 0, unchanged: 0 });
      expect(stored.map((i) => i.number)).toEqual(numbers);
    });
  });
});
