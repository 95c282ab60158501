import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linkedInvoices } from '../../src/db/first-invoices.ts';
import { writeHandoff } from '../../src/db/handoffs.ts';
import type { Deal, Invoice } from '../../src/db/schema.ts';
import { useTestDatabase } from '../support/db.ts';
import { aDeal, anAccount, anInvoice, OTHER_TEAM, TEAM } from '../support/rows.ts';

const DAYS = ['2026-01-10', '2026-02-01', '2026-02-01', '2026-03-15', '2026-05-01'] as const;
const STATUSES = ['open', 'open', 'paid', 'paid', 'void'] as const;

interface Drawn {
  deal: number | null;
  status: (typeof STATUSES)[number];
  issuedOn: string;
  linked: boolean;
}

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

  it('says an invoice is first exactly as the rule computed from the raw rows does', async () => {
    const { db } = database;
    const drawn = fc.record({
      deal: fc.constantFrom(null, null, 0, 1),
      status: fc.constantFrom(...STATUSES),
      issuedOn: fc.constantFrom(...DAYS),
      linked: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...DAYS.slice(0, 3)), { minLength: 1, maxLength: 2 }),
        fc.array(drawn, { minLength: 1, maxLength: 8 }),
        async (closedOn, rows: Drawn[]) => {
          const account = await anAccount(db);
          const deals: Deal[] = [];
          for (const day of closedOn)
            deals.push(await aDeal(db, account, { closed_at: new Date(`${day}T12:00:00Z`) }));
          const invoices: Invoice[] = [];
          for (const r of rows) {
            const deal = r.deal === null ? null : (deals[r.deal % deals.length] ?? null);
            const invoice = await anInvoice(db, account, {
              deal_id: deal?.id ?? null,
              status: r.status,
              issued_on: r.issuedOn,
              url: r.linked ? `https://b.example/${r.issuedOn}` : null,
            });
            invoices.push(invoice);
          }
          const latest = [...deals].sort(
            (a, b) => b.closed_at.getTime() - a.closed_at.getTime() || b.id - a.id,
          )[0];
          const earlier = (o: (typeof invoices)[number], i: (typeof invoices)[number]) =>
            o.issued_on < i.issued_on || (o.issued_on === i.issued_on && o.id < i.id);
          const expected = invoices
            .filter((i) => i.status === 'open' && i.url !== null)
            .map((i) => {
              const billed = i.deal_id === null ? latest : deals.find((d) => d.id === i.deal_id);
              const closed = billed?.closed_at.toISOString().slice(0, 10) ?? '';
              const rival = invoices.some(
                (o) =>
                  o.id !== i.id &&
                  o.status !== 'void' &&
                  earlier(o, i) &&
                  (i.deal_id !== null
                    ? o.deal_id === i.deal_id
                    : o.deal_id === null && o.issued_on >= closed),
              );
              return { invoiceId: i.id, dealId: billed?.id, isFirst: !rival };
            });
          const found = await linkedInvoices(db, TEAM, { numbers: invoices.map((i) => i.number) });
          expect(
            found.map((f) => ({ invoiceId: f.invoiceId, dealId: f.dealId, isFirst: f.isFirst })),
          ).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});
