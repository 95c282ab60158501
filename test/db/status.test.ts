import { beforeAll, describe, expect, it } from 'vitest';
import { insertCollectionUpdate } from '../../src/db/collection-updates.ts';
import { writeHandoff } from '../../src/db/handoffs.ts';
import type { Account } from '../../src/db/schema.ts';
import {
  loadAccountStatus,
  loadLedgerHeadline,
  loadRepBook,
  resolveStatusQuery,
  threadUrl,
} from '../../src/db/status.ts';
import { useTestDatabase } from '../support/db.ts';
import { aDeal, addDays, anAccount, anInvoice, OTHER_TEAM, TEAM } from '../support/rows.ts';

const TODAY = '2026-06-15';
const SETTINGS = { creditHoldDays: 60, teamUrl: 'https://acme.slack.com/' };

const database = useTestDatabase();
let globex: Account;
let initech: Account;
beforeAll(async () => {
  const { db } = database;
  globex = await anAccount(db, {
    name: 'Globex Corporation',
    domain: 'globex.example',
    ownerUserId: 'U0REP',
  });
  await anAccount(db, { name: 'Globex Labs', ownerUserId: 'U0REP' });
  initech = await anAccount(db, { name: 'Initech', ownerUserId: 'U0OTHERREP' });
  await anAccount(db, { teamId: OTHER_TEAM, name: 'Globex Elsewhere' });
  const deal = await aDeal(db, globex, {
    name: 'Globex renewal',
    closed_at: new Date('2026-05-01T12:00:00Z'),
  });
  await db.transaction().execute((trx) =>
    writeHandoff(
      trx,
      {
        teamId: TEAM,
        dealId: deal.id,
        fields: { paymentTerms: 'net_30' },
        complete: false,
        submittedBy: 'U0REP',
        at: new Date(),
      },
      undefined,
    ),
  );
  await anInvoice(db, globex, { number: 'GX-1', balance_cents: 30_000, due_on: addDays(TODAY, -45) });
  const disputed = await anInvoice(db, globex, {
    number: 'GX-2',
    balance_cents: 20_000,
    due_on: addDays(TODAY, 10),
    dispute_state: 'open',
  });
  await anInvoice(db, globex, {
    number: 'GX-3',
    currency: 'EUR',
    balance_cents: 7_000,
    due_on: addDays(TODAY, -95),
  });
  await anInvoice(db, initech, { number: 'IN-1', balance_cents: 1_000, due_on: addDays(TODAY, 5) });
  await insertCollectionUpdate(db, {
    team_id: TEAM,
    account_id: globex.id,
    invoice_id: disputed.id,
    kind: 'dispute_opened',
    dispute_reason: 'pricing_error',
    author_user_id: 'U0AR',
    created_at: new Date('2026-06-10T10:00:00Z'),
  });
  await db
    .updateTable('accounts')
    .set({ credit_hold: true, thread_channel: 'C0FIN', thread_ts: '1700000000.000100' })
    .where('id', '=', globex.id)
    .execute();
});

describe('db/status', () => {
  it('finds what /ar-status is about: an invoice, a domain, a name, a pick list, or the closest names', async () => {
    const { db } = database;
    expect(await resolveStatusQuery(db, TEAM, 'gx-1')).toEqual({ kind: 'account', accountId: globex.id });
    expect(await resolveStatusQuery(db, TEAM, 'https://www.globex.example/about')).toEqual({
      kind: 'account',
      accountId: globex.id,
    });
    expect(await resolveStatusQuery(db, TEAM, 'initech')).toEqual({ kind: 'account', accountId: initech.id });
    const pick = await resolveStatusQuery(db, TEAM, 'globex');
    expect(pick.kind === 'pick' && pick.candidates.map((c) => c.name).sort()).toEqual([
      'Globex Corporation',
      'Globex Labs',
    ]);
    expect(await resolveStatusQuery(db, TEAM, 'globx corporaton')).toEqual({
      kind: 'account',
      accountId: globex.id,
    });
    const none = await resolveStatusQuery(db, TEAM, 'Umbrella Pharmaceuticals');
    expect(none.kind).toBe('none');
    expect(none.kind === 'none' && none.closest).not.toContain('Globex Elsewhere');
  });

  it('finds names by the start of any of their words, however short, and follows renames', async () => {
    const { db } = database;
    const pick = await resolveStatusQuery(db, TEAM, 'gl');
    expect(pick.kind === 'pick' && pick.candidates.map((c) => c.name)).toEqual([
      'Globex Corporation',
      'Globex Labs',
    ]);
    expect(await resolveStatusQuery(db, TEAM, 'corp')).toEqual({ kind: 'account', accountId: globex.id });
    const renamed = await anAccount(db, { name: 'Hooli Widgets' });
    expect(await resolveStatusQuery(db, TEAM, 'widg')).toEqual({ kind: 'account', accountId: renamed.id });
    await db
      .updateTable('accounts')
      .set({ name: 'Hooli Gadgets', name_key: 'hooli gadgets' })
      .where('id', '=', renamed.id)
      .execute();
    expect(await resolveStatusQuery(db, TEAM, 'gadg')).toEqual({ kind: 'account', accountId: renamed.id });
    expect((await resolveStatusQuery(db, TEAM, 'widg')).kind).not.toBe('account');
    await db.deleteFrom('accounts').where('id', '=', renamed.id).execute();
    expect(
      await db.selectFrom('account_name_words').select('word').where('account_id', '=', renamed.id).execute(),
    ).toEqual([]);
  });

  it('shows where one account stands on a day', async () => {
    const status = await loadAccountStatus(database.db, TEAM, globex.id, TODAY, SETTINGS);
    expect(status).toMatchObject({
      name: 'Globex Corporation',
      domain: 'globex.example',
      ownerUserId: 'U0REP',
      handoff: { dealName: 'Globex renewal', complete: false, terms: 'Net 30' },
      openBalance: [
        { currency: 'EUR', cents: 7_000 },
        { currency: 'USD', cents: 50_000 },
      ],
      creditHold: { on: true, reasons: [expect.stringMatching(/GX-3/)] },
      moreProblemInvoices: 0,
      threadUrl: 'https://acme.slack.com/archives/C0FIN/p1700000000000100',
    });
    expect(status?.problemInvoices.map((i) => [i.number, i.daysLate, i.disputeReasonLabel])).toEqual([
      ['GX-3', 95, null],
      ['GX-1', 45, null],
      ['GX-2', 0, 'Pricing error'],
    ]);
    expect(status?.aging.find((a) => a.currency === 'USD')?.buckets).toMatchObject({
      current: 20_000,
      '31_60': 30_000,
    });
    expect(status?.recentUpdates).toEqual([
      expect.objectContaining({ kind: 'dispute_opened', authorUserId: 'U0AR', invoiceNumber: 'GX-2' }),
    ]);
    expect(await loadAccountStatus(database.db, OTHER_TEAM, globex.id, TODAY, SETTINGS)).toBeUndefined();
  });

  it('gives a rep their book, overdue first, and AR the ledger’s headline', async () => {
    const book = await loadRepBook(database.db, TEAM, 'U0REP', TODAY);
    expect(book.lines.map((l) => [l.name, l.worstDaysLate, l.disputes])).toEqual([
      ['Globex Corporation', 95, 1],
    ]);
    const ledger = await loadLedgerHeadline(database.db, TEAM, TODAY);
    expect(ledger).toMatchObject({
      totalOpen: [
        { currency: 'EUR', cents: 7_000 },
        { currency: 'USD', cents: 51_000 },
      ],
      openDisputes: 1,
      handoffsWaiting: 1,
      accountsOnHold: 1,
      overdueInvoices: 2,
    });
  });

  it('links to a thread only when the workspace URL and the thread are known', () => {
    expect(threadUrl('https://acme.slack.com', 'C1', '1.000200')).toBe(
      'https://acme.slack.com/archives/C1/p1000200',
    );
    expect(threadUrl(null, 'C1', '1.2')).toBeNull();
    expect(threadUrl('https://acme.slack.com/', null, null)).toBeNull();
  });
});
