import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dayIn } from '../../src/domain/dates.ts';
import {
  API_TOKEN,
  AR_USER,
  eventually,
  FINANCE_CHANNEL,
  type Harness,
  startHarness,
} from '../support/harness.ts';
import { fillModal } from '../support/modal-state.ts';
import {
  sendBlockActions,
  sendEvent,
  sendSlashCommand,
  sendViewSubmission,
} from '../support/slack-request.ts';

const DAY = 86_400_000;
const REP = 'U0COLREP';
let h: Harness;
let seq = 0;
const daysAgo = (n: number) => dayIn('UTC', new Date(Date.now() - n * DAY));
const inDays = (n: number) => new Date(Date.now() + n * DAY);

beforeAll(async () => {
  h = await startHarness();
  h.fake.addUser({ id: REP, tz: 'UTC' });
});
afterAll(async () => h?.close());
beforeEach(() => h.fake.reset());

async function postInvoices(invoices: unknown[], token = API_TOKEN) {
  const res = await fetch(`${h.baseUrl}/api/invoices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ invoices }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** An account owned by REP, created the way it usually is: a closed deal from the CRM. */
async function ownedAccount(): Promise<{ crmId: string; name: string }> {
  seq += 1;
  const crmId = `COL-A-${seq}`;
  const name = `Collections Customer ${seq}`;
  const res = await h.postSigned('/webhooks/deal-closed', {
    deal_id: `COL-D-${seq}`,
    deal_name: `Collections deal ${seq}`,
    amount_cents: 100,
    currency: 'USD',
    closed_at: new Date().toISOString(),
    owner: { slack_user_id: REP },
    account: { id: crmId, name },
  });
  expect(res.status).toBe(202);
  return { crmId, name };
}

function invoice(number: string, crmId: string, o: Record<string, unknown> = {}) {
  return {
    number,
    account: { id: crmId },
    amount_cents: 500_000,
    balance_cents: 500_000,
    currency: 'USD',
    issued_on: daysAgo(50),
    due_on: daysAgo(20),
    ...o,
  };
}

const threadPosts = (about: string) =>
  h.fake
    .callsTo('chat.postMessage')
    .filter((c) => c.args.channel === FINANCE_CHANNEL && JSON.stringify(c.args).includes(about));

async function accountRow(crmId: string) {
  return h.database.db
    .selectFrom('accounts')
    .selectAll()
    .where('crm_id', '=', crmId)
    .executeTakeFirstOrThrow();
}

/** /ar-update as AR staff, through the modal: pick the target, choose the kind, fill, submit. */
async function arUpdate(target: string, kind: string, answers: Record<string, string>) {
  seq += 1;
  const trigger = `tr-ar-${seq}`;
  const ack = await sendSlashCommand(h.slack, {
    command: '/ar-update',
    text: target,
    userId: AR_USER,
    triggerId: trigger,
  });
  expect(ack.status).toBe(200);
  const [open] = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === trigger);
  const view = open?.args.view as { callback_id: string; blocks: unknown[]; id?: string };
  const targetBlock = (
    view.blocks as { block_id?: string; element?: { initial_option?: { value: string } } }[]
  ).find((b) => b.block_id === 'target');
  const preset = targetBlock?.element?.initial_option?.value;
  expect(preset, JSON.stringify(view.blocks[0])).toBeDefined();
  const state = { values: fillModal(view, { target: preset as string, kind }) };
  await sendBlockActions(h.slack, {
    userId: AR_USER,
    actions: [{ action_id: 'ar_kind', type: 'static_select', selected_option: { value: kind } }],
    view: { id: `V-ar-${seq}`, hash: 'h', callback_id: view.callback_id, state },
  });
  const [update] = await h.fake.waitFor('views.update', (c) => c.args.view_id === `V-ar-${seq}`);
  const redrawn = update?.args.view as typeof view;
  return sendViewSubmission(h.slack, {
    userId: AR_USER,
    view: {
      id: `V-ar-submit-${seq}`,
      callback_id: redrawn.callback_id,
      state: { values: fillModal(redrawn, { target: preset as string, kind, ...answers }) },
    },
  });
}

describe('invoices in, pings out', () => {
  it('pings the owning rep once, for 15 days, in the account thread; a dispute pauses; resolution resumes at 30', async () => {
    const { crmId } = await ownedAccount();
    const res = await postInvoices([invoice('INV-1001', crmId)]);
    expect(res).toMatchObject({ status: 200, json: { received: 1, created: 1 } });

    await h.sweep(new Date());
    const [root, ping] = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === FINANCE_CHANNEL, {
      count: 2,
    });
    const account = await eventually(async () => {
      const a = await accountRow(crmId);
      expect(a.thread_ts).toBeTruthy();
      return a;
    });
    expect(root?.args.thread_ts).toBeUndefined();
    expect(ping?.args.thread_ts).toBe(account.thread_ts);
    const text = JSON.stringify(ping?.args.blocks);
    expect(text).toContain('INV-1001');
    expect(text).toContain(`<@${REP}>`);
    expect(text).toMatch(/20 days/);
    expect(text).toContain('collections_contacted');
    expect(text).toContain('collections_ask_ar');
    const row = await h.database.db
      .selectFrom('invoices')
      .selectAll()
      .where('number', '=', 'INV-1001')
      .executeTakeFirstOrThrow();
    expect(row.pinged_threshold).toBe(15);

    await h.sweep(new Date());
    await h.drain();
    expect(threadPosts('INV-1001')).toHaveLength(1);

    // AR opens a dispute: the rep is pinged with the reason.
    const dispute = await arUpdate('INV-1001', 'dispute_opened', {
      dispute_reason: 'discount_missing_or_wrong',
      note: 'Expected 10% off',
    });
    expect(dispute.text).toBe('');
    const [opened] = await h.fake.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === FINANCE_CHANNEL && JSON.stringify(c.args).includes('iscount'),
    );
    expect(JSON.stringify(opened?.args)).toContain(`<@${REP}>`);
    expect(opened?.args.thread_ts).toBe(account.thread_ts);

    // Disputed: no ping even past 30 days.
    await h.sweep(inDays(11));
    await h.drain();
    expect(threadPosts('INV-1001').filter((c) => /31 days/.test(JSON.stringify(c.args)))).toEqual([]);

    // Resolved and past 30 days: one ping.
    await arUpdate('INV-1001', 'dispute_resolved', { note: 'Credit note issued' });
    await h.fake.waitFor('chat.postMessage', (c) => JSON.stringify(c.args).includes('Credit note issued'));
    await h.sweep(inDays(11));
    await h.sweep(inDays(11));
    await h.drain();
    expect(threadPosts('INV-1001').filter((c) => /31 days/.test(JSON.stringify(c.args)))).toHaveLength(1);
    expect(
      (
        await h.database.db
          .selectFrom('invoices')
          .select('pinged_threshold')
          .where('number', '=', 'INV-1001')
          .executeTakeFirstOrThrow()
      ).pinged_threshold,
    ).toBe(30);
  });

  it('pauses for a promise to pay and pings a broken promise once', async () => {
    const { crmId } = await ownedAccount();
    await postInvoices([invoice('INV-2002', crmId, { due_on: daysAgo(10) })]);
    await h.sweep(new Date()); // 1-day ping
    await h.fake.waitFor(
      'chat.postMessage',
      (c) => JSON.stringify(c.args).includes('INV-2002') && /10 days/.test(JSON.stringify(c.args)),
    );
    const promised = dayIn('UTC', inDays(3));
    const res = await arUpdate('INV-2002', 'promise_to_pay', { promise_date: promised });
    expect(res.text).toBe('');
    await h.fake.waitFor(
      'chat.postMessage',
      (c) =>
        JSON.stringify(c.args).includes('INV-2002') &&
        JSON.stringify(c.args).toLowerCase().includes('promise'),
    );
    h.fake.reset();

    await h.sweep(inDays(2)); // 12 days late, promise still good
    await h.sweep(inDays(3)); // the promised day itself
    await h.drain();
    expect(threadPosts('INV-2002')).toEqual([]);

    await h.sweep(inDays(4)); // promise broken
    await h.sweep(inDays(4));
    await h.drain();
    const broken = threadPosts('INV-2002');
    expect(broken).toHaveLength(1);
    expect(JSON.stringify(broken[0]?.args).toLowerCase()).toContain('promise');
    expect(JSON.stringify(broken[0]?.args)).toContain(`<@${REP}>`);
  });

  it('tells the rep in the thread and by DM when a payment clears the invoice; records partial payments', async () => {
    const { crmId } = await ownedAccount();
    await postInvoices([invoice('INV-3003', crmId, { due_on: daysAgo(2) })]);
    const partial = await postInvoices([
      invoice('INV-3003', crmId, { due_on: daysAgo(2), balance_cents: 200_000 }),
    ]);
    expect(partial.json).toMatchObject({ updated: 1, payments: 1, paid: 0 });
    await h.fake.waitFor(
      'chat.postMessage',
      (c) => JSON.stringify(c.args).includes('INV-3003') && JSON.stringify(c.args).includes('3,000.00'),
    );
    const paid = await postInvoices([invoice('INV-3003', crmId, { due_on: daysAgo(2), balance_cents: 0 })]);
    expect(paid.json).toMatchObject({ updated: 1, payments: 1, paid: 1 });
    const [dm] = await h.fake.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === REP && JSON.stringify(c.args).includes('INV-3003'),
    );
    expect(JSON.stringify(dm?.args).toLowerCase()).toContain('paid');
    await h.fake.waitFor(
      'chat.postMessage',
      (c) =>
        c.args.channel === FINANCE_CHANNEL &&
        JSON.stringify(c.args).includes('INV-3003') &&
        /paid/i.test(String(c.args.text)),
    );
    const stored = await h.database.db
      .selectFrom('invoices')
      .selectAll()
      .where('number', '=', 'INV-3003')
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ status: 'paid', balance_cents: 0 });
    const payments = await h.database.db
      .selectFrom('collection_updates')
      .select(['kind', 'amount_cents'])
      .where('invoice_id', '=', stored.id)
      .orderBy('id')
      .execute();
    expect(payments).toEqual([
      { kind: 'payment_received', amount_cents: 300_000 },
      { kind: 'payment_received', amount_cents: 200_000 },
    ]);
    // Replaying the same export changes nothing.
    expect(
      (await postInvoices([invoice('INV-3003', crmId, { due_on: daysAgo(2), balance_cents: 0 })])).json,
    ).toMatchObject({ unchanged: 1 });
  });

  it('posts credit hold on and off once each: over the limit, and an invoice crossing CREDIT_HOLD_DAYS', async () => {
    const { crmId, name } = await ownedAccount();
    const holdPosts = () => threadPosts(name).filter((c) => /credit hold/i.test(String(c.args.text)));
    await postInvoices([
      invoice('INV-4004', crmId, { due_on: daysAgo(1), account: { id: crmId, credit_limit_cents: 400_000 } }),
    ]);
    await h.fake.waitFor(
      'chat.postMessage',
      (c) => /credit hold/i.test(String(c.args.text)) && JSON.stringify(c.args).includes(name),
    );
    expect((await accountRow(crmId)).credit_hold).toBe(true);
    await postInvoices([invoice('INV-4004', crmId, { due_on: daysAgo(1), balance_cents: 100_000 })]);
    await eventually(async () => expect(holdPosts()).toHaveLength(2));
    expect((await accountRow(crmId)).credit_hold).toBe(false);
    expect(String(holdPosts()[0]?.args.text)).toMatch(/on credit hold/i);
    expect(String(holdPosts()[1]?.args.text)).toMatch(/off credit hold/i);

    // Time alone: an invoice 59 days late crosses 60 two days later.
    const late = await postInvoices([
      invoice('INV-4005', crmId, { issued_on: daysAgo(89), due_on: daysAgo(59), balance_cents: 1_000 }),
    ]);
    expect(late.status).toBe(200);
    await h.drain();
    expect(holdPosts()).toHaveLength(2);
    await h.sweep(inDays(2));
    await h.sweep(inDays(2));
    await eventually(async () => expect(holdPosts()).toHaveLength(3));
    await h.drain();
    expect(holdPosts()).toHaveLength(3);
    expect((await accountRow(crmId)).credit_hold).toBe(true);
  });

  it('holds at once an account whose invoice arrives already past CREDIT_HOLD_DAYS; the sweeps post it once', async () => {
    const { crmId, name } = await ownedAccount();
    const holdPosts = () => threadPosts(name).filter((c) => /credit hold/i.test(String(c.args.text)));
    const res = await postInvoices([
      invoice('INV-4101', crmId, { issued_on: daysAgo(105), due_on: daysAgo(75) }),
      invoice('INV-4102', crmId, { issued_on: daysAgo(60), due_on: daysAgo(30) }),
    ]);
    expect(res.status).toBe(200);
    await eventually(async () => expect(holdPosts()).toHaveLength(1));
    expect(String(holdPosts()[0]?.args.text)).toMatch(/on credit hold/i);
    expect(JSON.stringify(holdPosts()[0]?.args)).toContain('INV-4101');
    const pastHold = async () =>
      Object.fromEntries(
        (
          await h.database.db
            .selectFrom('invoices')
            .select(['number', 'past_hold'])
            .where('number', 'in', ['INV-4101', 'INV-4102'])
            .execute()
        ).map((i) => [i.number, i.past_hold]),
      );
    // Stored as the sweep would have left it; the one 30 days late is left to the sweeps.
    expect(await pastHold()).toEqual({ 'INV-4101': true, 'INV-4102': false });
    await h.sweep(new Date());
    await h.drain();
    expect(holdPosts()).toHaveLength(1);
    await h.sweep(inDays(31));
    await h.drain();
    expect(await pastHold()).toEqual({ 'INV-4101': true, 'INV-4102': true });
    expect(holdPosts()).toHaveLength(1);
    expect((await accountRow(crmId)).credit_hold).toBe(true);
  });

  it('refuses a bad body with 400 naming every bad row and field, and stores nothing', async () => {
    const before = await h.database.db
      .selectFrom('invoices')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const res = await postInvoices([
      invoice('INV-OK-1', 'ANY'),
      { ...invoice('INV-BAD-1', 'ANY'), due_on: '2026-02-30', currency: 'XXY' },
      { ...invoice('INV-BAD-2', 'ANY'), amount_cents: 10.5, account: {} },
      invoice('INV-OK-1', 'ANY'),
    ]);
    expect(res.status).toBe(400);
    const problems = (res.json.problems as string[]).join('\n');
    for (const p of [
      'invoices[1].due_on',
      'invoices[1].currency',
      'invoices[2].amount_cents',
      'invoices[2].account',
    ])
      expect(problems).toContain(p);
    const after = await h.database.db
      .selectFrom('invoices')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect((await postInvoices([invoice('INV-X', 'ANY')], 'wrong-token')).status).toBe(401);
  });

  it('matches accounts by CRM id, then by name regardless of case and spacing, and creates new ones', async () => {
    const res = await postInvoices([
      { ...invoice('INV-5001', 'x'), account: { name: 'Globex   Corporation' } },
      { ...invoice('INV-5002', 'x'), account: { name: 'globex corporation' } },
    ]);
    expect(res.json).toMatchObject({ created: 2, accounts_created: 1 });
    const rows = await h.database.db
      .selectFrom('invoices')
      .select('account_id')
      .where('number', 'in', ['INV-5001', 'INV-5002'])
      .execute();
    expect(new Set(rows.map((r) => r.account_id)).size).toBe(1);
    // No owner: the ping says so, in the finance channel.
    await h.sweep(new Date());
    const [ping] = await h.fake.waitFor('chat.postMessage', (c) =>
      JSON.stringify(c.args).includes('INV-5001'),
    );
    expect(JSON.stringify(ping?.args).toLowerCase()).toMatch(/no rep/);

    // AR assigns the owner from the alert; the thread says so and the account is theirs.
    const blocks = JSON.stringify(ping?.args.blocks);
    const match =
      /"action_id":"collections_assign_rep"[^}]*"value":"(\d+)"|"value":"(\d+)"[^}]*"action_id":"collections_assign_rep"/.exec(
        blocks,
      );
    const invoiceId = match?.[1] ?? match?.[2];
    expect(invoiceId).toBeDefined();
    await sendBlockActions(h.slack, {
      userId: AR_USER,
      triggerId: 'tr-assign',
      actions: [{ action_id: 'collections_assign_rep', type: 'button', value: invoiceId }],
    });
    const [open] = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === 'tr-assign');
    const view = open?.args.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
    expect(view.callback_id).toBe('account_assign_rep');
    const done = await sendViewSubmission(h.slack, {
      userId: AR_USER,
      view: {
        id: 'V-assign',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: { values: fillModal(view, { owner: REP }) },
      },
    });
    expect(done.text).toBe('');
    await h.fake.waitFor('chat.postMessage', (c) => String(c.args.text).includes(`<@${REP}> now owns`));
    const owned = await h.database.db
      .selectFrom('invoices')
      .innerJoin('accounts', 'accounts.id', 'invoices.account_id')
      .select('accounts.owner_user_id')
      .where('invoices.number', '=', 'INV-5001')
      .executeTakeFirstOrThrow();
    expect(owned.owner_user_id).toBe(REP);
  });
});

describe('AR updates and the account thread', () => {
  it('refuses /ar-update to someone not in AR_USER_IDS', async () => {
    const res = await sendSlashCommand(h.slack, { command: '/ar-update', text: 'INV-1001', userId: REP });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/AR team/) });
    await h.drain();
    expect(h.fake.callsTo('views.open')).toEqual([]);
  });

  it('answers the invoice/account picker with matches', async () => {
    const { crmId } = await ownedAccount();
    await postInvoices([invoice('PICK-77', crmId)]);
    const { sendBlockSuggestion } = await import('../support/slack-request.ts');
    const res = await sendBlockSuggestion(h.slack, {
      userId: AR_USER,
      actionId: 'ar_target',
      blockId: 'target',
      value: 'pick-7',
    });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.json)).toContain('PICK-77');
  });

  it('logs "I\'ll reach out" as a contacted update and says so in the thread', async () => {
    const { crmId } = await ownedAccount();
    await postInvoices([invoice('INV-6006', crmId)]);
    await h.sweep(new Date());
    const [ping] = await h.fake.waitFor(
      'chat.postMessage',
      (c) => JSON.stringify(c.args).includes('INV-6006') && c.args.thread_ts !== undefined,
    );
    const invoiceId = JSON.stringify(ping?.args.blocks).match(
      /"action_id":"collections_contacted"[^}]*"value":"(\d+)"|"value":"(\d+)"[^}]*"action_id":"collections_contacted"/,
    );
    const id = invoiceId?.[1] ?? invoiceId?.[2];
    await sendBlockActions(h.slack, {
      userId: REP,
      responseUrl: h.fake.responseUrl(),
      actions: [{ action_id: 'collections_contacted', type: 'button', value: id }],
    });
    await h.fake.waitFor(
      'chat.postMessage',
      (c) =>
        String(c.args.text).includes('INV-6006') &&
        String(c.args.text).includes(`<@${REP}>`) &&
        /reach out/i.test(String(c.args.text)),
    );
    const updates = await h.database.db
      .selectFrom('collection_updates')
      .select(['kind', 'author_user_id'])
      .where('invoice_id', '=', Number(id))
      .execute();
    expect(updates).toContainEqual({ kind: 'contacted', author_user_id: REP });
  });

  it('saves a thread reply by the rep or AR as a note, once, ignoring bots and other threads', async () => {
    const { crmId } = await ownedAccount();
    await postInvoices([invoice('INV-7007', crmId)]);
    await h.sweep(new Date());
    const account = await eventually(async () => {
      const a = await accountRow(crmId);
      expect(a.thread_ts).toBeTruthy();
      return a;
    });
    const reply = (user: string, text: string, extra: Record<string, unknown> = {}) => ({
      type: 'message',
      channel: account.thread_channel,
      user,
      text,
      ts: `${Date.now() / 1000}`,
      thread_ts: account.thread_ts,
      channel_type: 'channel',
      ...extra,
    });
    const event = reply(REP, 'Spoke to their AP, payment run is Friday');
    await sendEvent(h.slack, { eventId: 'Ev-note-1', event });
    await sendEvent(h.slack, { eventId: 'Ev-note-1', event }, { retryNum: 1, retryReason: 'http_timeout' });
    await sendEvent(h.slack, { eventId: 'Ev-note-2', event: reply('U0STRANGER', 'I am not involved') });
    await sendEvent(h.slack, {
      eventId: 'Ev-note-3',
      event: reply(AR_USER, 'bot says hi', { bot_id: 'B1', subtype: 'bot_message' }),
    });
    await sendEvent(h.slack, {
      eventId: 'Ev-note-4',
      event: reply(AR_USER, 'another thread', { thread_ts: '1.000001' }),
    });
    await sendEvent(h.slack, { eventId: 'Ev-note-5', event: reply(AR_USER, 'AR: chased by email') });
    const notes = await eventually(async () => {
      const rows = await h.database.db
        .selectFrom('collection_updates')
        .select(['note', 'author_user_id'])
        .where('account_id', '=', account.id)
        .where('kind', '=', 'note')
        // The two replies are separate events, handled concurrently after their acks: either may be saved first.
        .orderBy('note')
        .execute();
      expect(rows).toHaveLength(2);
      return rows;
    });
    await h.drain();
    expect(notes).toEqual([
      { note: 'AR: chased by email', author_user_id: AR_USER },
      { note: 'Spoke to their AP, payment run is Friday', author_user_id: REP },
    ]);
  });

  it('keeps a reply that arrives before the thread it answers is recorded', async () => {
    const { crmId } = await ownedAccount();
    await postInvoices([invoice('INV-7008', crmId)]);
    await h.sweep(new Date());
    const account = await eventually(async () => {
      const a = await accountRow(crmId);
      expect(a.thread_ts).toBeTruthy();
      return a;
    });
    // As if Slack had answered the root's post but the outbox had not yet saved its ts.
    await h.database.db
      .updateTable('accounts')
      .set({ thread_ts: null })
      .where('id', '=', account.id)
      .execute();
    await sendEvent(h.slack, {
      eventId: 'Ev-early-1',
      event: {
        type: 'message',
        channel: account.thread_channel,
        user: REP,
        text: 'Replying at once',
        ts: `${Date.now() / 1000}`,
        thread_ts: account.thread_ts,
        channel_type: 'channel',
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await h.database.db
      .updateTable('accounts')
      .set({ thread_ts: account.thread_ts })
      .where('id', '=', account.id)
      .execute();
    await eventually(async () => {
      const rows = await h.database.db
        .selectFrom('collection_updates')
        .select('note')
        .where('account_id', '=', account.id)
        .where('kind', '=', 'note')
        .execute();
      expect(rows).toEqual([{ note: 'Replying at once' }]);
    });
  });
});
