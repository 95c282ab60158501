import { describe, expect, it } from 'vitest';
import { linkedInvoices } from '../../src/db/first-invoices.ts';
import { writeHandoff } from '../../src/db/handoffs.ts';
import { useTestDatabase } from '../support/db.ts';
import { aDeal, anAccount, anInvoice, OTHER_TEAM, TEAM } from '../support/rows.ts';

const database = useTestDatabase();

describe('db/first-invoices', () => {
  it('finds open invoices with a link, their deal and handoff, and whether each is the deal’s first', async () => {
    const { db } = database;
    const account = await anAccount(db, { ownerUserId: 'U0OWN', domain: 'acme.example' });
    const deal = await aDeal(db, account, { closed_at: new Date('2026-01-10T12:00:00Z') });
    await db.transaction().execute((trx) =>
      writeHandoff(
        trx,
        {
          teamId: TEAM,
          dealId: deal.id,
          fields: { apContactEmail: 'ap@acme.example' },
          complete: false,
          submittedBy: 'U0OWN',
          at: new Date(),
        },
        undefined,
      ),
    );
    const first = await anInvoice(db, account, {
      deal_id: deal.id,
      issued_on: '2026-02-01',
      url: 'https://b.example/1',
    });
    const second = await anInvoice(db, account, {
      deal_id: deal.id,
      issued_on: '2026-03-01',
      url: 'https://b.example/2',
    });
    await anInvoice(db, account, { deal_id: deal.id, issued_on: '2026-04-01' });
    await anInvoice(db, account, { deal_id: deal.id, url: 'https://b.example/void', status: 'void' });
    const found = await linkedInvoices(db, TEAM, { numbers: [first.number, second.number, 'INV-NONE'] });
    expect(found).toEqual([
      expect.objectContaining({
        invoiceId: first.id,
        url: 'https://b.example/1',
        dealId: deal.id,
        ownerUserId: 'U0OWN',
        accountDomain: 'acme.example',
        amountCents: 50_000,
        dueOn: '2026-02-01',
        handoffFields: { apContactEmail: 'ap@acme.example' },
        isFirst: true,
      }),
      expect.objectContaining({ invoiceId: second.id, isFirst: false }),
    ]);
    expect(await linkedInvoices(db, TEAM, { id: second.id })).toHaveLength(1);
    expect(await linkedInvoices(db, OTHER_TEAM, { id: second.id })).toEqual([]);
    expect(await linkedInvoices(db, TEAM, { numbers: [] })).toEqual([]);
  });

  it('an invoice naming no deal bills the account’s latest deal; earlier invoices before it closed do not count', async () => {
    const { db } = database;
    const account = await anAccount(db);
    await aDeal(db, account, { closed_at: new Date('2026-01-01T00:00:00Z') });
    const latest = await aDeal(db, account, {
      closed_at: new Date('2026-05-01T00:00:00Z'),
      owner_user_id: null,
    });
    await anInvoice(db, account, { issued_on: '2026-02-01' });
    const inv = await anInvoice(db, account, { issued_on: '2026-05-02', url: 'https://b.example/x' });
    expect(await linkedInvoices(db, TEAM, { id: inv.id })).toEqual([
      expect.objectContaining({ dealId: latest.id, isFirst: true, ownerUserId: null, handoffFields: null }),
    ]);
    const none = await anInvoice(db, await anAccount(db), { url: 'https://b.example/y' });
    expect(await linkedInvoices(db, TEAM, { id: none.id })).toEqual([]);
  });
});
