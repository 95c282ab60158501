import { beforeAll, describe, expect, it } from 'vitest';
import { insertCollectionUpdate } from '../../src/db/collection-updates.ts';
import { loadArHome, loadRepHome } from '../../src/db/home.ts';
import { useTestDatabase } from '../support/db.ts';
import { aDeal, addDays, anAccount, anInvoice, OTHER_TEAM, TEAM } from '../support/rows.ts';

const TODAY = '2026-06-15';
const NOW = new Date(`${TODAY}T12:00:00Z`);

const database = useTestDatabase();
beforeAll(async () => {
  const { db } = database;
  const mine = await anAccount(db, { name: 'Home Customer', ownerUserId: 'U0HOME' });
  const theirs = await anAccount(db, { name: 'Someone Else', ownerUserId: 'U0OTHER' });
  await aDeal(db, mine, { name: 'Waiting deal' });
  await aDeal(db, await anAccount(db, { teamId: OTHER_TEAM, ownerUserId: 'U0HOME' }), {
    name: 'Elsewhere deal',
  });
  const overdue = await anInvoice(db, mine, { number: 'HM-1', due_on: addDays(TODAY, -10) });
  await anInvoice(db, mine, { number: 'HM-2', due_on: addDays(TODAY, 10) });
  await anInvoice(db, theirs, { number: 'HM-3', due_on: addDays(TODAY, 5), dispute_state: 'open' });
  const paid = await anInvoice(db, mine, { number: 'HM-4', balance_cents: 0, status: 'paid' });
  const payment = (invoiceId: number, iso: string) =>
    insertCollectionUpdate(db, {
      team_id: TEAM,
      account_id: mine.id,
      invoice_id: invoiceId,
      kind: 'payment_received',
      amount_cents: 500,
      created_at: new Date(iso),
    });
  await payment(paid.id, '2026-06-10T10:00:00Z');
  await payment(overdue.id, '2026-04-01T10:00:00Z');
  await db
    .updateTable('accounts')
    .set({ credit_hold: true, credit_hold_since: NOW })
    .where('id', '=', theirs.id)
    .execute();
});

describe('db/home', () => {
  it('gives a rep their handoffs to finish, their overdue or disputed invoices and the last 30 days of payments', async () => {
    const home = await loadRepHome(database.db, TEAM, 'U0HOME', TODAY, NOW);
    expect(home.handoffs.map((h) => h.dealName)).toEqual(['Waiting deal']);
    expect(home.handoffs[0]?.missing.length).toBeGreaterThan(0);
    expect(home.problemInvoices.map((i) => [i.number, i.daysLate])).toEqual([['HM-1', 10]]);
    expect(home.recentPayments).toEqual([
      {
        invoiceNumber: 'HM-4',
        accountName: 'Home Customer',
        amountCents: 500,
        currency: 'USD',
        at: new Date('2026-06-10T10:00:00Z'),
        paidInFull: true,
      },
    ]);
  });

  it('gives AR the dispute queue, the oldest overdue, handoffs waiting and holds', async () => {
    const home = await loadArHome(database.db, TEAM, 'U0AR', TODAY);
    expect(home.disputes.map((i) => i.number)).toEqual(['HM-3']);
    expect(home.oldestOverdue.map((i) => i.number)).toEqual(['HM-1']);
    expect(home.handoffsWaiting.map((h) => h.dealName)).toEqual(['Waiting deal']);
    expect(home.onHold).toEqual([
      { accountId: expect.any(Number), name: 'Someone Else', ownerUserId: 'U0OTHER', since: NOW },
    ]);
    expect([home.moreDisputes, home.moreOverdue, home.moreHandoffsWaiting, home.moreOnHold]).toEqual([
      0, 0, 0, 0,
    ]);
  });
});
