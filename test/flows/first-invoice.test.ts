import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dayIn } from '../../src/domain/dates.ts';
import type { SlackCall } from '../support/fake-slack.ts';
import { closeDealWithHandoff } from '../support/handoff-flow.ts';
import { API_TOKEN, eventually, FINANCE_CHANNEL, type Harness, startHarness } from '../support/harness.ts';
import { sendBlockActions } from '../support/slack-request.ts';

const REP = 'U0FIRSTREP';
const DAY = 86_400_000;
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  h.fake.addUser({ id: REP, tz: 'UTC' });
});
afterAll(async () => h?.close());
beforeEach(() => h.fake.reset());

const day = (n: number) => dayIn('UTC', new Date(Date.now() + n * DAY));

async function postInvoices(invoices: Array<Record<string, unknown>>) {
  const res = await fetch(`${h.baseUrl}/api/invoices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      invoices: invoices.map((o) => ({
        amount_cents: 1_200_000,
        balance_cents: 1_200_000,
        currency: 'USD',
        issued_on: day(0),
        due_on: day(30),
        ...o,
      })),
    }),
  });
  expect(res.status).toBe(200);
  await h.drain();
}

const firstInvoiceDms = () =>
  h.fake
    .callsTo('chat.postMessage')
    .filter((c) => c.args.channel === REP && JSON.stringify(c.args.blocks).includes('first_invoice_sent'));

const blocksOf = (c: SlackCall | undefined) => JSON.stringify(c?.args.blocks);

describe('the first invoice, sent by the rep', () => {
  it('DMs the rep the link, the AP contact, a prefilled email and Sent it; once per deal', async () => {
    const deal = await closeDealWithHandoff(h, {
      rep: REP,
      key: 'FI1',
      domain: 'acme.example',
      answers: { signer_is_payer: 'no', sender_allowlisted: 'no' },
    });
    const url = 'https://billing.example/i/FI1?x=1&y=2';
    await postInvoices([
      { number: 'INV-FI1', account: { id: deal.accountCrmId }, deal_id: deal.dealCrmId, url },
    ]);
    const [dm] = firstInvoiceDms();
    expect(firstInvoiceDms()).toHaveLength(1);
    const blocks = blocksOf(dm);
    expect(blocks).toContain(JSON.stringify(url).slice(1, -1));
    expect(blocks).toContain('Pat Payables &lt;ap@acme.example&gt;');
    expect(blocks).toContain('Acme Holdings Ltd');
    expect(blocks).toContain(
      'mailto:ap@acme.example?subject=Invoice%20INV-FI1%20for%20Acme%20Holdings%20Ltd&body=Hi%20Pat',
    );
    expect(blocks).toContain('The signer is not the payer');
    expect(blocks).toContain('not allow-listed');
    expect(blocks).not.toContain("AP contact's address is not at");

    // A second invoice of the deal, and the same one again: no second DM.
    await postInvoices([
      {
        number: 'INV-FI1',
        account: { id: deal.accountCrmId },
        deal_id: deal.dealCrmId,
        url,
        balance_cents: 1_000,
      },
      {
        number: 'INV-FI1b',
        account: { id: deal.accountCrmId },
        deal_id: deal.dealCrmId,
        url: `${url}b`,
        issued_on: day(1),
      },
    ]);
    expect(firstInvoiceDms()).toHaveLength(1);

    // Sent it: logged in the thread once, the DM updated without its button.
    const invoice = await h.database.db
      .selectFrom('invoices')
      .select('id')
      .where('number', '=', 'INV-FI1')
      .executeTakeFirstOrThrow();
    for (let i = 0; i < 2; i++) {
      const click = await sendBlockActions(h.slack, {
        userId: REP,
        actions: [{ action_id: 'first_invoice_sent', type: 'button', value: String(invoice.id) }],
      });
      expect(click.status).toBe(200);
      // The click is handled after Slack's acknowledgement: wait for what it logs.
      await eventually(async () => {
        const logged = await h.database.db
          .selectFrom('collection_updates')
          .select('id')
          .where('source_key', '=', `first-invoice-sent:${invoice.id}`)
          .execute();
        expect(logged).toHaveLength(1);
      });
    }
    await h.drain();
    const posts = h.fake
      .callsTo('chat.postMessage')
      .filter(
        (c) =>
          c.args.channel === FINANCE_CHANNEL && JSON.stringify(c.args).includes('sent the first invoice'),
      );
    expect(posts).toHaveLength(1);
    expect(posts[0]?.args.thread_ts).toBeTruthy();
    const updates = h.fake.callsTo('chat.update').filter((c) => c.args.ts === dm?.response?.ts);
    expect(updates).toHaveLength(1);
    const [updated] = updates;
    expect(blocksOf(updated)).not.toContain('first_invoice_sent');
    expect(blocksOf(updated)).toContain('Sent by');
  });

  it('an invoice without a link sends nothing; a CSV-like row naming no deal finds the account’s deal', async () => {
    const deal = await closeDealWithHandoff(h, {
      rep: REP,
      key: 'FI2',
      domain: 'other.example',
      answers: { signer_is_payer: 'yes', sender_allowlisted: 'yes' },
    });
    await postInvoices([{ number: 'INV-FI2-nolink', account: { id: deal.accountCrmId }, issued_on: day(1) }]);
    expect(firstInvoiceDms()).toHaveLength(0);
    // The link arrives later on an earlier invoice of the account: that one is the first.
    await postInvoices([
      { number: 'INV-FI2', account: { id: deal.accountCrmId }, url: 'https://billing.example/i/FI2' },
    ]);
    const [dm] = firstInvoiceDms();
    expect(firstInvoiceDms()).toHaveLength(1);
    expect(blocksOf(dm)).toContain('INV-FI2');
    expect(blocksOf(dm)).toContain("AP contact's address is not at other.example");
    expect(blocksOf(dm)).not.toContain('The signer is not the payer');
    expect(blocksOf(dm)).not.toContain('allow-listed');
  });

  it('refuses Sent it from someone who is not the rep', async () => {
    const deal = await closeDealWithHandoff(h, { rep: REP, key: 'FI3' });
    await postInvoices([
      {
        number: 'INV-FI3',
        account: { id: deal.accountCrmId },
        deal_id: deal.dealCrmId,
        url: 'https://b.example/3',
      },
    ]);
    const invoice = await h.database.db
      .selectFrom('invoices')
      .select('id')
      .where('number', '=', 'INV-FI3')
      .executeTakeFirstOrThrow();
    await sendBlockActions(h.slack, {
      userId: 'U0SOMEONE',
      actions: [{ action_id: 'first_invoice_sent', type: 'button', value: String(invoice.id) }],
      responseUrl: h.fake.responseUrl(),
    });
    const [answer] = await h.fake.waitForResponse();
    expect(JSON.stringify(answer)).toContain(`belongs to <@${REP}>`);
    await h.drain();
    expect(h.fake.callsTo('chat.update').filter((c) => blocksOf(c).includes('Sent by'))).toHaveLength(0);
  });
});
