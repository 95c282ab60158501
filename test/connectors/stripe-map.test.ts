import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  disputeReason,
  invoiceRank,
  mapStripeInvoice,
  stripeInvoice,
  stripeToMinor,
} from '../../src/connectors/stripe/map.ts';

const base = {
  id: 'in_1',
  number: 'INV-1',
  customer: 'cus_1',
  customer_name: 'Acme',
  metadata: {},
  amount_due: 1000,
  amount_remaining: 400,
  currency: 'usd',
  created: Date.UTC(2026, 10, 30, 23, 30) / 1000,
  due_date: Date.UTC(2026, 11, 30, 12) / 1000,
  status: 'open',
  hosted_invoice_url: 'https://invoice.stripe.com/i/x',
};

describe('Stripe amounts', () => {
  it('follow Stripe’s decimals: ISK is written with two (always 00), JPY with none, KWD with three', () => {
    expect(stripeToMinor(1999, 'USD')).toBe(1999);
    expect(stripeToMinor(500, 'ISK')).toBe(5);
    expect(stripeToMinor(550, 'ISK')).toBeNull();
    expect(stripeToMinor(980, 'JPY')).toBe(980);
    expect(stripeToMinor(1230, 'KWD')).toBe(1230);
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e12 }), (n) => stripeToMinor(n * 100, 'ISK') === n));
  });
});

describe('mapStripeInvoice', () => {
  const parse = (o: Record<string, unknown>) => stripeInvoice.parse({ ...base, ...o });

  it('maps an invoice: days in the business time zone, account from metadata or the customer', () => {
    const mapped = mapStripeInvoice(
      parse({ metadata: { crm_account_id: 'HS-1' } }),
      null,
      'America/New_York',
    );
    expect(mapped).toEqual({
      kind: 'invoice',
      rank: 1,
      paymentIds: [],
      row: {
        number: 'INV-1',
        account: { crmId: 'HS-1', name: 'Acme' },
        amountCents: 1000,
        balanceCents: 400,
        currency: 'USD',
        issuedOn: '2026-11-30',
        dueOn: '2026-12-30',
        status: 'open',
        url: 'https://invoice.stripe.com/i/x',
      },
    });
    const fromCustomer = mapStripeInvoice(
      parse({ customer_name: null }),
      { name: 'Acme Inc', crmAccountId: 'SF-9' },
      'UTC',
    );
    expect(fromCustomer).toMatchObject({ row: { account: { crmId: 'SF-9', name: 'Acme Inc' } } });
  });

  it('takes a charge_automatically invoice (no due date) as due when issued', () => {
    const auto = parse({ collection_method: 'charge_automatically', due_date: null });
    expect(mapStripeInvoice(auto, null, 'UTC')).toMatchObject({
      row: { issuedOn: '2026-11-30', dueOn: '2026-11-30' },
    });
  });

  it('ignores drafts, voids uncollectible ones, lists payments, and names problems', () => {
    expect(mapStripeInvoice(parse({ number: null, status: 'draft' }), null, 'UTC').kind).toBe('ignored');
    expect(mapStripeInvoice(parse({ status: 'uncollectible' }), null, 'UTC')).toMatchObject({
      row: { status: 'void' },
    });
    const withPayments = parse({
      payments: {
        data: [
          { payment: { type: 'payment_intent', payment_intent: 'pi_1' } },
          { payment: { type: 'charge', charge: { id: 'ch_1' } } },
        ],
      },
    });
    expect(mapStripeInvoice(withPayments, null, 'UTC')).toMatchObject({ paymentIds: ['pi_1', 'ch_1'] });
    const bad = mapStripeInvoice(parse({ customer_name: null, amount_remaining: 2000 }), null, 'UTC');
    expect(bad).toEqual({ kind: 'invalid', problems: [expect.stringMatching(/^customer: /)] });
    expect(mapStripeInvoice(parse({ amount_remaining: 2000 }), null, 'UTC')).toEqual({
      kind: 'invalid',
      problems: ['amount_remaining: must not be more than amount_due'],
    });
  });

  it('never gives a balance above the amount, and a paid invoice has none', () => {
    const statuses = ['open', 'paid', 'void', 'uncollectible'] as const;
    fc.assert(
      fc.property(fc.nat(1e9), fc.nat(1e9), fc.constantFrom(...statuses), (due, remaining, status) => {
        const mapped = mapStripeInvoice(
          parse({ amount_due: due, amount_remaining: remaining, status }),
          null,
          'UTC',
        );
        if (mapped.kind !== 'invoice') return remaining > due;
        return (
          mapped.row.balanceCents <= mapped.row.amountCents &&
          (status !== 'paid' || mapped.row.balanceCents === 0)
        );
      }),
    );
    expect(invoiceRank('paid')).toBeGreaterThan(invoiceRank('open'));
  });

  it('maps dispute reasons to ours', () => {
    expect(disputeReason('duplicate')).toBe('duplicate_invoice');
    expect(disputeReason('product_unacceptable')).toBe('goods_or_service_issue');
    expect(disputeReason('fraudulent')).toBe('other');
  });
});
