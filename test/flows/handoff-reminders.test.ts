import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { upsertPerson } from '../../src/db/people.ts';
import type { SlackCall } from '../support/fake-slack.ts';
import { FINANCE_CHANNEL, type Harness, startHarness } from '../support/harness.ts';
import { fillModal } from '../support/modal-state.ts';
import { sendBlockActions, sendViewSubmission } from '../support/slack-request.ts';

const HOUR = 3_600_000;
// Monday 16 November 2026, 09:00 in New York.
const T0 = new Date('2026-11-16T14:00:00Z');
const REP = 'U0NYREP';
const BOSS = 'U0NYBOSS';

let h: Harness;
let n = 0;

beforeAll(async () => {
  h = await startHarness();
  h.fake.addUser({ id: REP, email: 'ny.rep@example.com', tz: 'America/New_York' });
  h.fake.addUser({ id: 'U0TOKYO', tz: 'Asia/Tokyo' });
  h.fake.addUser({ id: 'U0SNOOZE', tz: 'Europe/Berlin' });
  h.fake.addUser({ id: 'U0WRONG', tz: 'Europe/Berlin' });
  h.fake.addUser({ id: 'U0RIGHT', tz: 'Europe/Berlin' });
  await upsertPerson(h.database.db, h.fake.teamId, { userId: REP });
  await h.database.db
    .updateTable('people')
    .set({ manager_user_id: BOSS })
    .where('user_id', '=', REP)
    .execute();
});
afterAll(async () => h?.close());
beforeEach(() => h.fake.reset());

async function closeDeal(owner: string, closedAt: Date): Promise<{ dealId: number; name: string }> {
  n += 1;
  const name = `Reminder deal ${n}`;
  const res = await h.postSigned('/webhooks/deal-closed', {
    deal_id: `REM-${n}`,
    deal_name: name,
    amount_cents: 990_000,
    currency: 'USD',
    closed_at: closedAt.toISOString(),
    owner: { slack_user_id: owner },
    account: { id: `REM-A-${n}`, name: `Reminder Customer ${n}` },
  });
  expect(res.status).toBe(202);
  await h.fake.waitFor(
    'chat.postMessage',
    (c) => c.args.channel === owner && JSON.stringify(c.args).includes(name),
  );
  const deal = await h.database.db
    .selectFrom('deals')
    .select('id')
    .where('crm_id', '=', `REM-${n}`)
    .executeTakeFirstOrThrow();
  return { dealId: deal.id, name };
}

const remindersTo = (user: string, name: string) =>
  h.fake
    .callsTo('chat.postMessage')
    .filter(
      (c) =>
        c.args.channel === user &&
        String(c.args.text).startsWith('⏰') &&
        JSON.stringify(c.args).includes(name),
    );

async function sweepAndDrain(now: Date) {
  const result = await h.sweep(now);
  await h.drain();
  return result;
}

describe('incomplete-handoff reminders', () => {
  it('reminds once per due time, stops at NAG_MAX and escalates once with the manager', async () => {
    const { name } = await closeDeal(REP, T0);
    h.fake.reset();
    const first = new Date(T0.getTime() + 30 * HOUR); // Tuesday 15:00 in New York
    expect(await h.sweep(first)).toMatchObject({ handoffs: { reminded: 1, escalated: 0 } });
    const [reminder] = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === REP);
    const blocks = JSON.stringify(reminder?.args.blocks);
    for (const action of ['handoff_open', 'handoff_snooze', 'handoff_not_mine'])
      expect(blocks).toContain(action);
    expect(blocks).toContain(name);
    expect(blocks).toMatch(/Legal entity to invoice/);
    expect(blocks).toMatch(/closed (1 day|30 hours) ago/);

    // A second sweep at once sends nothing.
    expect(await sweepAndDrain(first)).toMatchObject({ handoffs: { reminded: 0 } });
    expect(await sweepAndDrain(new Date(first.getTime() + 23 * HOUR))).toMatchObject({
      handoffs: { reminded: 0 },
    });
    expect(remindersTo(REP, name)).toHaveLength(1);

    // After NAG_EVERY_HOURS, the second; then the third.
    await sweepAndDrain(new Date(first.getTime() + 24 * HOUR));
    await sweepAndDrain(new Date(first.getTime() + 48 * HOUR));
    expect(remindersTo(REP, name)).toHaveLength(3);

    // After NAG_MAX (3): the escalation, once, in the account thread, mentioning rep and manager.
    expect(await sweepAndDrain(new Date(first.getTime() + 72 * HOUR))).toMatchObject({
      handoffs: { reminded: 0, escalated: 1 },
    });
    expect(await sweepAndDrain(new Date(first.getTime() + 96 * HOUR))).toMatchObject({
      handoffs: { reminded: 0, escalated: 0 },
    });
    const escalations = h.fake
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === FINANCE_CHANNEL && JSON.stringify(c.args).includes(name));
    expect(escalations).toHaveLength(1);
    expect(JSON.stringify(escalations[0]?.args.blocks)).toContain(`<@${REP}>`);
    expect(JSON.stringify(escalations[0]?.args.blocks)).toContain(`<@${BOSS}>`);
    expect(remindersTo(REP, name)).toHaveLength(3);
  });

  it('stops the moment the handoff is complete, and the thread says so', async () => {
    const { dealId, name } = await closeDeal(REP, T0);
    const first = new Date(T0.getTime() + 30 * HOUR);
    await sweepAndDrain(first);
    expect(remindersTo(REP, name)).toHaveLength(1);

    await sendBlockActions(h.slack, {
      userId: REP,
      triggerId: `tr-complete-${dealId}`,
      actions: [{ action_id: 'handoff_open', type: 'button', value: String(dealId) }],
    });
    const [open] = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === `tr-complete-${dealId}`);
    const view = open?.args.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
    const res = await sendViewSubmission(h.slack, {
      userId: REP,
      view: {
        id: `V-complete-${dealId}`,
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: {
          values: fillModal(view, {
            legal_entity: 'Reminder Customer Inc',
            billing_address: '2 Side St',
            ap_contact_name: 'Alex AP',
            ap_contact_email: 'ap@customer.example',
            payment_terms: 'net_30',
            po_required: 'no',
            delivery_method: 'email',
            has_special_terms: 'no',
            first_invoice_date: '2026-12-01',
            billing_frequency: 'annual',
            currency: 'USD',
          }),
        },
      },
    });
    expect(res.text).toBe('');
    const [summary] = await h.fake.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === FINANCE_CHANNEL && JSON.stringify(c.args).includes(name),
    );
    expect(JSON.stringify(summary?.args.blocks)).toMatch(/Complete/);

    for (let day = 1; day <= 5; day++) await sweepAndDrain(new Date(first.getTime() + day * 24 * HOUR));
    expect(remindersTo(REP, name)).toHaveLength(1);
    expect(
      h.fake
        .callsTo('chat.postMessage')
        .filter(
          (c) =>
            c.args.channel === FINANCE_CHANNEL &&
            String(c.args.text).startsWith('🚩') &&
            JSON.stringify(c.args).includes(name),
        ),
    ).toEqual([]);
  });

  it('reaches a rep in Tokyo at 09:00 their time, not at 03:00', async () => {
    const { name } = await closeDeal('U0TOKYO', new Date('2026-11-16T09:00:00+09:00'));
    await sweepAndDrain(new Date('2026-11-18T03:00:00+09:00'));
    expect(remindersTo('U0TOKYO', name)).toEqual([]);
    await sweepAndDrain(new Date('2026-11-18T09:00:00+09:00'));
    expect(remindersTo('U0TOKYO', name)).toHaveLength(1);
    const person = await h.database.db
      .selectFrom('people')
      .selectAll()
      .where('user_id', '=', 'U0TOKYO')
      .executeTakeFirstOrThrow();
    expect(person.tz).toBe('Asia/Tokyo');
  });

  it('snoozes to the next working day from the reminder’s button', async () => {
    const { dealId, name } = await closeDeal('U0SNOOZE', new Date('2026-11-16T08:00:00Z'));
    await sweepAndDrain(new Date('2026-11-17T10:00:00Z'));
    const [reminder] = remindersTo('U0SNOOZE', name) as [SlackCall];
    const responseUrl = h.fake.responseUrl();
    await sendBlockActions(h.slack, {
      userId: 'U0SNOOZE',
      responseUrl,
      message: { ts: reminder.response?.ts, text: reminder.args.text },
      actions: [{ action_id: 'handoff_snooze', type: 'button', value: String(dealId) }],
    });
    const [reply] = await h.fake.waitForResponse((r) => r.path === new URL(responseUrl).pathname);
    expect(reply?.body).toMatchObject({ replace_original: true });
    expect(JSON.stringify(reply?.body)).toMatch(/Snoozed/);
    const deal = await h.database.db
      .selectFrom('deals')
      .selectAll()
      .where('id', '=', dealId)
      .executeTakeFirstOrThrow();
    const until = deal.snoozed_until as Date;
    // The start of the next working day in Berlin: 09:00 there, after today.
    expect(
      until.toLocaleTimeString('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }),
    ).toBe('09:00');
    expect(until.getTime()).toBeGreaterThan(Date.now());
    expect(until.getTime()).toBeLessThan(Date.now() + 4 * 24 * HOUR);

    // Nothing during the snooze, the next reminder once it ends.
    await sweepAndDrain(new Date(until.getTime() - 60_000));
    expect(remindersTo('U0SNOOZE', name)).toHaveLength(1);
    await sweepAndDrain(until);
    expect(remindersTo('U0SNOOZE', name)).toHaveLength(2);
  });

  it('moves the deal with "Not my deal" and tells the new owner', async () => {
    const { dealId, name } = await closeDeal('U0WRONG', new Date('2026-11-16T08:00:00Z'));
    await sweepAndDrain(new Date('2026-11-17T10:00:00Z'));
    expect(remindersTo('U0WRONG', name)).toHaveLength(1);
    await sendBlockActions(h.slack, {
      userId: 'U0WRONG',
      triggerId: `tr-nm-${dealId}`,
      actions: [{ action_id: 'handoff_not_mine', type: 'button', value: String(dealId) }],
    });
    const [open] = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === `tr-nm-${dealId}`);
    const view = open?.args.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
    expect(view.callback_id).toBe('handoff_reassign');
    const res = await sendViewSubmission(h.slack, {
      userId: 'U0WRONG',
      view: {
        id: `V-nm-${dealId}`,
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: { values: fillModal(view, { new_owner: 'U0RIGHT' }) },
      },
    });
    expect(res.json).toMatchObject({ response_action: 'update' });
    const [dm] = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === 'U0RIGHT');
    expect(JSON.stringify(dm?.args.blocks)).toContain('handoff_open');
    expect(JSON.stringify(dm?.args.blocks)).toContain('<@U0WRONG>');
    const deal = await h.database.db
      .selectFrom('deals')
      .selectAll()
      .where('id', '=', dealId)
      .executeTakeFirstOrThrow();
    expect(deal).toMatchObject({ owner_user_id: 'U0RIGHT', nags_sent: 0 });

    // Reminders now go to the new owner only.
    await sweepAndDrain(new Date('2026-11-18T10:00:00Z'));
    expect(remindersTo('U0RIGHT', name)).toHaveLength(1);
    expect(remindersTo('U0WRONG', name)).toHaveLength(1);
  });
});
