import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SlackCall } from '../support/fake-slack.ts';
import { eventually, FINANCE_CHANNEL, type Harness, startHarness } from '../support/harness.ts';
import { fillModal } from '../support/modal-state.ts';
import { sendBlockActions, sendViewSubmission } from '../support/slack-request.ts';

const REP = 'U0REP0001';

let h: Harness;
let seq = 0;

beforeAll(async () => {
  h = await startHarness();
  h.fake.addUser({ id: REP, email: 'dana.rep@example.com', tz: 'America/New_York', realName: 'Dana Rep' });
});
afterAll(async () => h?.close());
beforeEach(() => h.fake.reset());

function dealBody(overrides: Record<string, unknown> = {}) {
  seq += 1;
  return {
    deal_id: `CRM-D-${seq}`,
    deal_name: `Platform licence ${seq}`,
    amount_cents: 4_800_000,
    currency: 'USD',
    closed_at: new Date(Date.now() - 3_600_000).toISOString(),
    owner: { email: 'dana.rep@example.com' },
    account: { id: `CRM-A-${seq}`, name: `Acme ${seq} Ltd`, domain: `acme${seq}.example` },
    ...overrides,
  };
}

const COMPLETE = {
  legal_entity: 'Acme Holdings Ltd',
  billing_address: '1 Main St\nSpringfield',
  ap_contact_name: 'Pat Payables',
  ap_contact_email: 'ap@acme.example',
  payment_terms: 'net_30',
  po_required: 'no',
  delivery_method: 'email',
  has_special_terms: 'no',
  first_invoice_date: '2026-12-01',
  billing_frequency: 'monthly',
  currency: 'USD',
};

const buttonIn = (call: SlackCall, actionId: string) =>
  JSON.stringify(call.args.blocks ?? []).includes(`"action_id":"${actionId}"`);

async function closeDealAndOpenModal(body = dealBody()) {
  const res = await h.postSigned('/webhooks/deal-closed', body);
  expect(res).toMatchObject({ status: 202, json: { deal_id: body.deal_id, status: 'accepted' } });
  const [dm] = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === REP);
  if (!dm) throw new Error('no DM');
  const blocks = JSON.stringify(dm.args.blocks);
  const dealId =
    /"action_id":"handoff_open"[^}]*"value":"(\d+)"|"value":"(\d+)"[^}]*"action_id":"handoff_open"/.exec(
      blocks,
    );
  const id = dealId?.[1] ?? dealId?.[2];
  expect(id).toBeDefined();
  const click = await sendBlockActions(h.slack, {
    userId: REP,
    triggerId: `trigger-${seq}`,
    actions: [{ action_id: 'handoff_open', type: 'button', value: id }],
  });
  expect(click.status).toBe(200);
  const [open] = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === `trigger-${seq}`);
  const view = open?.args.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
  return { body, dm: dm as SlackCall, dealId: Number(id), view };
}

async function submit(
  view: { callback_id: string; private_metadata: string; blocks: unknown[] },
  answers: Record<string, string>,
  opts: { retryNum?: number; viewId?: string } = {},
) {
  return sendViewSubmission(
    h.slack,
    {
      userId: REP,
      view: {
        id: opts.viewId ?? `V-${seq}`,
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: { values: fillModal(view, answers) },
      },
    },
    { retryNum: opts.retryNum },
  );
}

describe('deal closed → billing handoff', () => {
  it('runs from the CRM webhook to a complete handoff in the finance thread', async () => {
    const { body, dm, dealId, view } = await closeDealAndOpenModal(
      dealBody({ prefill: { legal_entity: 'Acme Holdings Ltd', payment_terms: 'net 30' } }),
    );
    // The DM says what closed and offers the button.
    expect(dm.args.text).toContain(body.deal_name);
    expect(buttonIn(dm, 'handoff_open')).toBe(true);
    expect(dm.args.blocks).toEqual(expect.arrayContaining([expect.anything()]));
    // The modal is the intake, prefilled from the webhook.
    expect(view.callback_id).toBe('handoff_intake');
    expect(JSON.stringify(view.blocks)).toContain('Acme Holdings Ltd');

    const res = await submit(view, COMPLETE);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');

    const [summary] = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === FINANCE_CHANNEL);
    expect(summary?.args.thread_ts).toBeUndefined();
    expect(JSON.stringify(summary?.args.blocks)).toContain(body.account.name);
    expect(JSON.stringify(summary?.args.blocks)).toContain(`<@${REP}>`);

    // The thread is recorded once Slack has answered.
    const account = await eventually(async () => {
      const row = await h.database.db
        .selectFrom('accounts')
        .selectAll()
        .where('crm_id', '=', body.account.id)
        .executeTakeFirstOrThrow();
      expect(row.thread_channel).toBe(FINANCE_CHANNEL);
      return row;
    });
    expect(account.thread_ts).toBe(summary?.response?.ts);
    expect(account.owner_user_id).toBe(REP);

    const handoff = await h.database.db
      .selectFrom('handoffs')
      .selectAll()
      .where('deal_id', '=', dealId)
      .executeTakeFirstOrThrow();
    expect(handoff.complete).toBe(true);
    expect(handoff.submitted_by).toBe(REP);

    // The DM is updated in place: status and an Edit button.
    const [update] = await h.fake.waitFor('chat.update');
    expect(update?.args.channel).toBe(dm.response?.channel);
    expect(update?.args.ts).toBe(dm.response?.ts);
    expect(JSON.stringify(update?.args.blocks)).toContain('Edit handoff');

    // A second deal for the same account replies in the account's thread.
    h.fake.reset();
    const second = await closeDealAndOpenModal(dealBody({ account: body.account }));
    await submit(second.view, COMPLETE, { viewId: 'V-second' });
    const [reply] = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === FINANCE_CHANNEL);
    expect(reply?.args.thread_ts).toBe(account.thread_ts);
  });

  it('shows inline errors for bad values and saves nothing', async () => {
    const { dealId, view } = await closeDealAndOpenModal();
    const res = await submit(view, { ...COMPLETE, ap_contact_email: 'not-an-email' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      response_action: 'errors',
      errors: { ap_contact_email: expect.any(String) },
    });
    await h.drain();
    expect(
      await h.database.db.selectFrom('handoffs').select('deal_id').where('deal_id', '=', dealId).execute(),
    ).toEqual([]);
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === FINANCE_CHANNEL)).toEqual([]);
  });

  it('saves an incomplete handoff with its missing fields', async () => {
    const { dealId, view } = await closeDealAndOpenModal();
    const res = await submit(view, { legal_entity: 'Acme Holdings Ltd', ap_contact_name: 'Pat' });
    expect(res.text).toBe('');
    const handoff = await eventually(() =>
      h.database.db
        .selectFrom('handoffs')
        .selectAll()
        .where('deal_id', '=', dealId)
        .executeTakeFirstOrThrow(),
    );
    expect(handoff.complete).toBe(false);
    const [summary] = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === FINANCE_CHANNEL);
    expect(JSON.stringify(summary?.args.blocks)).toMatch(/AP contact email/i);
    const [update] = await h.fake.waitFor('chat.update');
    expect(JSON.stringify(update?.args.blocks)).toMatch(/AP contact email/i);
  });

  it('asks the dependent questions when they apply and validates them', async () => {
    const { view, dealId, body } = await closeDealAndOpenModal();
    expect(JSON.stringify(view.blocks)).not.toContain('"block_id":"po_number"');
    const state = { values: fillModal(view, { po_required: 'yes' }) };
    await sendBlockActions(h.slack, {
      userId: REP,
      actions: [
        {
          action_id: 'intake_dispatch:po_required',
          type: 'radio_buttons',
          selected_option: { value: 'yes' },
        },
      ],
      view: {
        id: 'V-dep',
        hash: 'h1',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state,
      },
    });
    const [update] = await h.fake.waitFor('views.update');
    const redrawn = update?.args.view as typeof view;
    expect(JSON.stringify(redrawn.blocks)).toContain('"block_id":"po_number"');
    // A bad dependent value is an inline error; nothing is saved.
    const bad = await submit(redrawn, { ...COMPLETE, po_required: 'yes', po_number: 'x'.repeat(500) });
    expect(bad.json).toMatchObject({ response_action: 'errors', errors: { po_number: expect.any(String) } });
    expect(
      await h.database.db.selectFrom('handoffs').select('deal_id').where('deal_id', '=', dealId).execute(),
    ).toEqual([]);
    // PO required but no number yet: saved as incomplete, the PO number named as missing.
    const res = await submit(redrawn, { ...COMPLETE, po_required: 'yes' });
    expect(res.text).toBe('');
    const handoff = await eventually(() =>
      h.database.db
        .selectFrom('handoffs')
        .selectAll()
        .where('deal_id', '=', dealId)
        .executeTakeFirstOrThrow(),
    );
    expect(handoff.complete).toBe(false);
    const [summary] = await h.fake.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === FINANCE_CHANNEL && JSON.stringify(c.args).includes(body.deal_name),
    );
    expect(JSON.stringify(summary?.args.blocks)).toContain('PO number');
  });

  it('sends nothing twice for a replayed webhook or a retried submission', async () => {
    const { body, dealId, view } = await closeDealAndOpenModal();
    const replay = await h.postSigned('/webhooks/deal-closed', body);
    expect(replay).toMatchObject({ status: 200, json: { deal_id: body.deal_id, status: 'duplicate' } });

    await Promise.all([submit(view, COMPLETE), submit(view, COMPLETE, { retryNum: 1 })]);
    await submit(view, COMPLETE);
    await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === FINANCE_CHANNEL);
    await h.drain();
    const about = (c: SlackCall) => JSON.stringify(c.args).includes(body.deal_name);
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === REP && about(c))).toHaveLength(
      1,
    );
    expect(
      h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === FINANCE_CHANNEL && about(c)),
    ).toHaveLength(1);
    expect(h.fake.callsTo('chat.update').filter(about)).toHaveLength(1);
    const deals = await h.database.db
      .selectFrom('deals')
      .select('id')
      .where('crm_id', '=', body.deal_id)
      .execute();
    expect(deals).toEqual([{ id: dealId }]);
  });

  it('posts what changed when the rep edits the handoff', async () => {
    const { view, dealId } = await closeDealAndOpenModal();
    await submit(view, COMPLETE);
    await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === FINANCE_CHANNEL);
    await h.fake.waitFor('chat.update');
    await submit(view, { ...COMPLETE, payment_terms: 'net_60' });
    const [change] = await h.fake.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === FINANCE_CHANNEL && c.args.thread_ts !== undefined,
    );
    expect(JSON.stringify(change?.args)).toMatch(/Net 30/);
    expect(JSON.stringify(change?.args)).toMatch(/Net 60/);
    const handoff = await h.database.db
      .selectFrom('handoffs')
      .selectAll()
      .where('deal_id', '=', dealId)
      .executeTakeFirstOrThrow();
    expect(handoff.version).toBe(2);
    await h.fake.waitFor('chat.update', undefined, { count: 2 });
  });

  it('tells the finance channel when no Slack user matches the owner, and keeps the deal', async () => {
    const body = dealBody({ owner: { email: 'nobody@example.com' } });
    const res = await h.postSigned('/webhooks/deal-closed', body);
    expect(res.status).toBe(202);
    const [notice] = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === FINANCE_CHANNEL);
    expect(JSON.stringify(notice?.args)).toContain('nobody@example.com');
    expect(buttonIn(notice as SlackCall, 'deal_claim')).toBe(true);
    const deal = await h.database.db
      .selectFrom('deals')
      .selectAll()
      .where('crm_id', '=', body.deal_id)
      .executeTakeFirstOrThrow();
    expect(deal.owner_user_id).toBeNull();
  });

  it('falls back to the finance channel when Slack cannot deliver the DM to the given user id', async () => {
    h.fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    const body = dealBody({ owner: { slack_user_id: 'U0GONE' } });
    expect((await h.postSigned('/webhooks/deal-closed', body)).status).toBe(202);
    const [notice] = await h.fake.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === FINANCE_CHANNEL && JSON.stringify(c.args).includes(body.deal_name),
    );
    expect(buttonIn(notice as SlackCall, 'deal_claim')).toBe(true);
    const deal = await eventually(async () => {
      const row = await h.database.db
        .selectFrom('deals')
        .selectAll()
        .where('crm_id', '=', body.deal_id)
        .executeTakeFirstOrThrow();
      expect(row.dm_key).toBeNull();
      return row;
    });
    expect(deal.owner_user_id).toBeNull();
  });

  it('delivers exactly once after a 429, honouring Retry-After', async () => {
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    await h.postSigned('/webhooks/deal-closed', dealBody());
    const [dm] = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === REP, {
      timeoutMs: 8_000,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(dm).toBeDefined();
    await h.drain();
    const toRep = h.fake.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === REP);
    expect(toRep.map((c) => c.fault ?? 'ok')).toEqual([429, 'ok']);
  });
});
