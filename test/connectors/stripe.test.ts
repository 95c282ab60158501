import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeApi, startFakeApi } from '../support/fake-api.ts';
import { FINANCE_CHANNEL, type Harness, startHarness } from '../support/harness.ts';

const SECRET = 'whsec_test_0123456789abcdef';
const REP = 'U0STRIPEREP';
const DAY = 86_400;
let h: Harness;
let api: FakeApi;
let seq = 0;
const nowSeconds = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  api = await startFakeApi();
  h = await startHarness({
    STRIPE_WEBHOOK_SECRET: SECRET,
    STRIPE_API_KEY: 'sk_test_fake0123456789',
    STRIPE_API_URL: api.url,
  });
  h.fake.addUser({ id: REP, tz: 'UTC' });
});
afterAll(async () => {
  await h?.close();
  await api?.close();
});
beforeEach(() => {
  h.fake.reset();
  api.reset();
});

/** POSTs an event signed with Stripe's own test helper (or a wrong secret, or another time). */
async function send(event: unknown, o: { secret?: string; timestamp?: number } = {}) {
  const payload = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: o.secret ?? SECRET,
    timestamp: o.timestamp ?? nowSeconds(),
  });
  const res = await fetch(`${h.baseUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'stripe-signature': signature, 'content-type': 'application/json' },
    body: payload,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function event(type: string, object: Record<string, unknown>, created = nowSeconds()) {
  seq += 1;
  return {
    id: `evt_test${seq}`,
    object: 'event',
    type,
    created,
    api_version: '2025-03-31.basil',
    data: { object },
  };
}

function stripeInvoice(o: Record<string, unknown> = {}) {
  return {
    id: 'in_life1',
    object: 'invoice',
    number: 'STR-0001',
    customer: 'cus_life',
    customer_name: 'Lifecycle Ltd',
    metadata: { crm_account_id: 'STRIPE-A-1' },
    amount_due: 250_000,
    amount_paid: 0,
    amount_remaining: 250_000,
    currency: 'usd',
    collection_method: 'send_invoice',
    created: nowSeconds() - 40 * DAY,
    due_date: nowSeconds() - 20 * DAY,
    status: 'open',
    hosted_invoice_url: 'https://invoice.stripe.com/i/acct_1/test_life1',
    ...o,
  };
}

async function invoiceRow(number: string) {
  return h.database.db.selectFrom('invoices').selectAll().where('number', '=', number).executeTakeFirst();
}

const threadText = () =>
  h.fake
    .callsTo('chat.postMessage')
    .filter((c) => c.args.channel === FINANCE_CHANNEL)
    .map((c) => String(c.args.text));

describe('POST /webhooks/stripe', () => {
  it('refuses forgeries, stale and future timestamps with 401, storing nothing', async () => {
    const e = event('invoice.finalized', stripeInvoice({ id: 'in_forged', number: 'STR-FORGED' }));
    const forged = await send(e, { secret: 'whsec_not_the_secret' });
    expect(forged).toMatchObject({
      status: 401,
      json: { problems: [expect.stringMatching(/No signatures found/)] },
    });
    const stale = await send(e, { timestamp: nowSeconds() - 301 });
    expect(stale).toMatchObject({ status: 401, json: { problems: [expect.stringMatching(/tolerance/)] } });
    const future = await send(e, { timestamp: nowSeconds() + 360 });
    expect(future).toMatchObject({ status: 401, json: { problems: [expect.stringMatching(/future/)] } });
    const unsigned = await fetch(`${h.baseUrl}/webhooks/stripe`, { method: 'POST', body: JSON.stringify(e) });
    expect(unsigned.status).toBe(401);
    expect(await invoiceRow('STR-FORGED')).toBeUndefined();
  });

  it('answers bad input with 400 listing every problem, and ignores events it does not use', async () => {
    const bad = await send(
      event(
        'invoice.finalized',
        stripeInvoice({ id: 'in_bad', number: 'STR-BAD', amount_due: -1, currency: 'zzz' }),
      ),
    );
    expect(bad.status).toBe(400);
    expect(bad.json.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^data\.object\.amount_due: /)]),
    );
    expect(await invoiceRow('STR-BAD')).toBeUndefined();
    const other = await send(event('customer.created', { id: 'cus_x', object: 'customer' }));
    expect(other).toMatchObject({ status: 200, json: { status: 'ignored' } });
  });

  it('runs an invoice from finalized through overdue, paid, disputed and a lost dispute, in Slack', async () => {
    const deal = await h.postSigned('/webhooks/deal-closed', {
      deal_id: 'STRIPE-D-1',
      deal_name: 'Lifecycle deal',
      amount_cents: 250_000,
      currency: 'USD',
      closed_at: new Date().toISOString(),
      owner: { slack_user_id: REP },
      account: { id: 'STRIPE-A-1', name: 'Lifecycle Ltd' },
    });
    expect(deal.status).toBe(202);

    const t0 = nowSeconds() - 1000;
    const finalized = event('invoice.finalized', stripeInvoice(), t0);
    expect(await send(finalized)).toMatchObject({ status: 200, json: { status: 'applied' } });
    expect(await send(finalized)).toMatchObject({ status: 200, json: { status: 'duplicate' } });
    const stored = await invoiceRow('STR-0001');
    expect(stored).toMatchObject({ amount_cents: 250_000, balance_cents: 250_000, status: 'open' });
    expect(stored?.url).toBe('https://invoice.stripe.com/i/acct_1/test_life1');

    // invoice.overdue: the past-due sweep pings the rep in the account's thread.
    await send(event('invoice.overdue', stripeInvoice(), t0 + 1));
    await h.sweep(new Date());
    await h.drain();
    expect(threadText().some((t) => t.includes('STR-0001') && t.includes(`<@${REP}>`))).toBe(true);

    // Paid (basil: the payment arrives as invoice_payment.paid, naming the payment intent).
    await send(
      event(
        'invoice_payment.paid',
        {
          id: 'inpay_1',
          object: 'invoice_payment',
          invoice: 'in_life1',
          payment: { type: 'payment_intent', payment_intent: 'pi_life1' },
          status: 'paid',
        },
        t0 + 2,
      ),
    );
    const paid = stripeInvoice({ status: 'paid', amount_paid: 250_000, amount_remaining: 0 });
    expect(await send(event('invoice.paid', paid, t0 + 3))).toMatchObject({ json: { status: 'applied' } });
    // An update sent before the payment, delivered after it, does not reopen the invoice.
    const late = await send(event('invoice.updated', stripeInvoice({ description: 'late' }), t0 + 2));
    expect(late).toMatchObject({ status: 200, json: { status: 'stale' } });
    expect(await invoiceRow('STR-0001')).toMatchObject({ balance_cents: 0, status: 'paid' });

    // A chargeback on that payment: a dispute ping for the rep, with the reason mapped.
    const dispute = {
      id: 'dp_life1',
      object: 'dispute',
      charge: 'ch_life1',
      payment_intent: 'pi_life1',
      amount: 250_000,
      currency: 'usd',
      reason: 'product_not_received',
      status: 'needs_response',
    };
    expect(await send(event('charge.dispute.created', dispute, t0 + 4))).toMatchObject({
      json: { status: 'applied' },
    });
    expect(await invoiceRow('STR-0001')).toMatchObject({ dispute_state: 'open' });
    // Lost: resolved, and the amount is open again.
    await send(event('charge.dispute.closed', { ...dispute, status: 'lost' }, t0 + 5));
    expect(await invoiceRow('STR-0001')).toMatchObject({
      dispute_state: 'resolved',
      balance_cents: 250_000,
      status: 'open',
    });
    await h.drain();
    const posts = threadText();
    expect(posts.some((t) => t.includes('disputes STR-0001') && t.includes('Goods or service'))).toBe(true);
    expect(posts.some((t) => t.includes('STR-0001') && t.includes('resolved'))).toBe(true);
    expect(posts.some((t) => t.includes('was lost') && t.includes('$2,500.00 is open again'))).toBe(true);
  });

  it('reads the customer from Stripe when the invoice carries no CRM id, and maps ISK and JPY amounts', async () => {
    api.route('GET /v1/customers/:id', ({ id }) => ({
      status: 200,
      body: {
        id,
        object: 'customer',
        name: 'Reykjavik Fish hf.',
        metadata: { crm_account_id: 'STRIPE-A-ISK' },
      },
    }));
    const isk = stripeInvoice({
      id: 'in_isk',
      number: 'STR-ISK',
      metadata: {},
      customer: 'cus_isk',
      customer_name: null,
      currency: 'isk',
      amount_due: 1_250_000,
      amount_remaining: 1_250_000,
    });
    expect(await send(event('invoice.finalized', isk))).toMatchObject({ status: 200 });
    expect(api.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /v1/customers/cus_isk']);
    expect(await invoiceRow('STR-ISK')).toMatchObject({ amount_cents: 12_500, currency: 'ISK' });
    const jpy = stripeInvoice({
      id: 'in_jpy',
      number: 'STR-JPY',
      currency: 'jpy',
      amount_due: 9800,
      amount_remaining: 9800,
    });
    await send(event('invoice.finalized', jpy));
    expect(await invoiceRow('STR-JPY')).toMatchObject({ amount_cents: 9800, currency: 'JPY' });
  });
});
