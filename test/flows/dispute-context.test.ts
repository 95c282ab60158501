import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dayIn } from '../../src/domain/dates.ts';
import { closeDealWithHandoff } from '../support/handoff-flow.ts';
import { API_TOKEN, AR_USER, FINANCE_CHANNEL, type Harness, startHarness } from '../support/harness.ts';
import { fillModal } from '../support/modal-state.ts';
import { sendBlockActions, sendSlashCommand, sendViewSubmission } from '../support/slack-request.ts';

const REP = 'U0DISREP';
const DAY = 86_400_000;
let h: Harness;
let seq = 0;

beforeAll(async () => {
  h = await startHarness();
  h.fake.addUser({ id: REP, tz: 'UTC' });
});
afterAll(async () => h?.close());
beforeEach(() => h.fake.reset());

async function postInvoice(number: string, accountCrmId: string, dealCrmId?: string) {
  const day = (n: number) => dayIn('UTC', new Date(Date.now() + n * DAY));
  const res = await fetch(`${h.baseUrl}/api/invoices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      invoices: [
        {
          number,
          account: { id: accountCrmId },
          amount_cents: 1_200_000,
          balance_cents: 1_200_000,
          currency: 'USD',
          issued_on: day(-40),
          due_on: day(-10),
          ...(dealCrmId ? { deal_id: dealCrmId } : {}),
        },
      ],
    }),
  });
  expect(res.status).toBe(200);
}

/** AR opens a dispute through /ar-update, as in Slack: the command, the kind, the reason, submit. */
async function openDispute(invoiceNumber: string, reason: string) {
  seq += 1;
  const trigger = `tr-dispute-${seq}`;
  await sendSlashCommand(h.slack, {
    command: '/ar-update',
    text: invoiceNumber,
    userId: AR_USER,
    triggerId: trigger,
  });
  const [open] = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === trigger);
  const view = open?.args.view as { callback_id: string; blocks: Array<Record<string, unknown>> };
  const target = (
    view.blocks.find((b) => b.block_id === 'target') as { element: { initial_option: { value: string } } }
  ).element.initial_option.value;
  const kind = 'dispute_opened';
  await sendBlockActions(h.slack, {
    userId: AR_USER,
    actions: [{ action_id: 'ar_kind', type: 'static_select', selected_option: { value: kind } }],
    view: {
      id: `V-d-${seq}`,
      hash: 'h',
      callback_id: view.callback_id,
      state: { values: fillModal(view, { target, kind }) },
    },
  });
  const [update] = await h.fake.waitFor('views.update', (c) => c.args.view_id === `V-d-${seq}`);
  const redrawn = update?.args.view as typeof view;
  const res = await sendViewSubmission(h.slack, {
    userId: AR_USER,
    view: {
      id: `V-d-submit-${seq}`,
      callback_id: redrawn.callback_id,
      state: { values: fillModal(redrawn, { target, kind, dispute_reason: reason }) },
    },
  });
  expect(res.text).toBe('');
  const [ping] = await h.fake.waitFor(
    'chat.postMessage',
    (c) => c.args.channel === FINANCE_CHANNEL && JSON.stringify(c.args.blocks).includes('disputes'),
  );
  return JSON.stringify(ping?.args.blocks);
}

describe('dispute context from the handoff', () => {
  it('quotes the discount, PO, AP contact, entity, terms and who submitted, in the ping and in /ar-status', async () => {
    const deal = await closeDealWithHandoff(h, {
      rep: REP,
      key: 'DC1',
      prefill: {
        has_special_terms: true,
        special_terms: '10% off year one',
        po_required: true,
        po_number: 'PO-778',
      },
      answers: {
        has_special_terms: 'yes',
        special_terms: '10% off year one',
        po_required: 'yes',
        po_number: 'PO-778',
      },
    });
    await postInvoice('INV-DC1', deal.accountCrmId, deal.dealCrmId);
    const ping = await openDispute('INV-DC1', 'discount_missing_or_wrong');
    expect(ping).toContain('What the handoff recorded');
    expect(ping).toContain('10% off year one');
    expect(ping).toContain('Required: PO-778');
    expect(ping).toContain('Pat Payables · ap@acme.example');
    expect(ping).toContain('Acme Holdings Ltd');
    expect(ping).toContain('Net 30');
    expect(ping).toContain(`submitted by <@${REP}>`);
    expect(ping).not.toContain('recorded no discount');

    const res = await sendSlashCommand(h.slack, { command: '/ar-status', text: 'INV-DC1', userId: AR_USER });
    expect(res.status).toBe(200);
    const status = JSON.stringify(JSON.parse(res.text).blocks);
    expect(status).toContain('INV-DC1');
    expect(status).toContain('10% off year one');
    expect(status).toContain(`submitted by <@${REP}>`);
  });

  it('says so when a "discount missing or wrong" dispute meets a handoff that recorded no discount', async () => {
    const deal = await closeDealWithHandoff(h, { rep: REP, key: 'DC2' });
    // The invoice names no deal: the account's latest deal stands in.
    await postInvoice('INV-DC2', deal.accountCrmId);
    const ping = await openDispute('INV-DC2', 'discount_missing_or_wrong');
    expect(ping).toContain('The handoff recorded no discount or special terms');
    expect(ping).toContain("the account's latest deal");
    expect(ping).toContain('*Discounts and special terms:* None');

    const res = await sendSlashCommand(h.slack, { command: '/ar-status', text: 'INV-DC2', userId: AR_USER });
    expect(JSON.stringify(JSON.parse(res.text).blocks)).toContain('The handoff recorded no discount');
  });

  it('another reason on the same kind of handoff carries no warning', async () => {
    const deal = await closeDealWithHandoff(h, { rep: REP, key: 'DC3' });
    await postInvoice('INV-DC3', deal.accountCrmId, deal.dealCrmId);
    const ping = await openDispute('INV-DC3', 'po_missing_or_wrong');
    expect(ping).toContain('*PO:* Not required');
    expect(ping).not.toContain('recorded no discount');
  });
});
