import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setManager, upsertPerson } from '../../src/db/people.ts';
import { dayIn } from '../../src/domain/dates.ts';
import type { SlackCall } from '../support/fake-slack.ts';
import { closeDealWithHandoff } from '../support/handoff-flow.ts';
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
  sendMessageShortcut,
  sendSlashCommand,
  sendViewSubmission,
} from '../support/slack-request.ts';

const REP = 'U0ASKREP';
const MANAGER = 'U0ASKBOSS';
const DAY = 86_400_000;
let h: Harness;
let seq = 0;

beforeAll(async () => {
  h = await startHarness();
  h.fake.addUser({ id: REP, tz: 'UTC' });
  h.fake.addUser({ id: MANAGER, tz: 'UTC' });
});
afterAll(async () => h?.close());
beforeEach(() => h.fake.reset());

/** The first Wednesday at least two days away, and the Thursday after it (working days). */
function workingDays() {
  let d = new Date(Date.now() + 2 * DAY);
  while (d.getUTCDay() !== 3) d = new Date(d.getTime() + DAY);
  const due = dayIn('UTC', d);
  return {
    due,
    onDue: new Date(`${due}T10:00:00Z`),
    dayAfter: new Date(`${dayIn('UTC', new Date(d.getTime() + DAY))}T10:00:00Z`),
  };
}

const threadPosts = (about: string) =>
  h.fake
    .callsTo('chat.postMessage')
    .filter((c) => c.args.channel === FINANCE_CHANNEL && JSON.stringify(c.args.blocks).includes(about));

function buttonValue(call: SlackCall | undefined, actionId: string): string {
  const m = new RegExp(
    `"action_id":"${actionId}"[^}]*"value":"([^"]+)"|"value":"([^"]+)"[^}]*"action_id":"${actionId}"`,
  ).exec(JSON.stringify(call?.args.blocks ?? call?.args.view));
  const value = m?.[1] ?? m?.[2];
  if (!value) throw new Error(`no ${actionId} button`);
  return value;
}

/** `target: 'keep'` submits the invoice or account the modal was preset to. */
function keepTarget(view: { blocks: Array<Record<string, unknown>> }, answers: Record<string, string>) {
  if (answers.target !== 'keep') return answers;
  const block = view.blocks.find((b) => b.block_id === 'target') as {
    element: { initial_option?: { value: string } };
  };
  const preset = block.element.initial_option?.value;
  if (!preset) throw new Error('the modal has no preset target');
  return { ...answers, target: preset };
}

async function submitModal(userId: string, trigger: string, answers: Record<string, string>) {
  const [open] = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === trigger);
  const view = open?.args.view as {
    callback_id: string;
    private_metadata?: string;
    blocks: Array<Record<string, unknown>>;
  };
  seq += 1;
  return sendViewSubmission(h.slack, {
    userId,
    view: {
      id: `V-ask-${seq}`,
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      state: { values: fillModal(view, keepTarget(view, answers)) },
    },
  });
}

describe('asks between AR and reps', () => {
  it('AR asks from a ping; the rep sees it on App Home, is reminded, answers in the thread; an overdue ask escalates', async () => {
    const deal = await closeDealWithHandoff(h, { rep: REP, key: 'ASK1' });
    await upsertPerson(h.database.db, 'T0TEAM', { userId: REP, tz: 'UTC' });
    await setManager(h.database.db, 'T0TEAM', REP, MANAGER);
    const res = await fetch(`${h.baseUrl}/api/invoices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        invoices: [
          {
            number: 'INV-ASK1',
            account: { id: deal.accountCrmId },
            amount_cents: 900_00,
            balance_cents: 900_00,
            currency: 'USD',
            issued_on: dayIn('UTC', new Date(Date.now() - 40 * DAY)),
            due_on: dayIn('UTC', new Date(Date.now() - 20 * DAY)),
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    await h.sweep(new Date());
    const [ping] = await h.fake.waitFor('chat.postMessage', (c) =>
      JSON.stringify(c.args.blocks).includes('ask_open'),
    );
    const target = buttonValue(ping, 'ask_open');
    expect(target).toMatch(/^invoice:\d+$/);

    // Someone who is not AR is told so.
    await sendBlockActions(h.slack, {
      userId: REP,
      triggerId: 'tr-ask-rep',
      actions: [{ action_id: 'ask_open', value: target }],
    });
    const [refused] = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === 'tr-ask-rep');
    expect(JSON.stringify(refused?.args.view)).toContain('AR only');

    // AR asks, with a due date; a past date is refused inline.
    const { due, onDue, dayAfter } = workingDays();
    await sendBlockActions(h.slack, {
      userId: AR_USER,
      triggerId: 'tr-ask-1',
      actions: [{ action_id: 'ask_open', value: target }],
    });
    const bad = await submitModal(AR_USER, 'tr-ask-1', {
      target: 'keep',
      question: 'Can you get the PO number?',
      due_on: '2020-01-01',
    });
    expect(bad.json).toEqual({ response_action: 'errors', errors: { due_on: 'Pick today or a later day.' } });
    const ok = await submitModal(AR_USER, 'tr-ask-1', {
      target: 'keep',
      question: 'Can you get the PO number?',
      due_on: due,
    });
    expect(ok.text).toBe('');
    const [asked] = await h.fake.waitFor('chat.postMessage', (c) =>
      JSON.stringify(c.args.blocks).includes('Can you get the PO number?'),
    );
    expect(asked?.args.channel).toBe(FINANCE_CHANNEL);
    expect(asked?.args.thread_ts).toBeTruthy();
    expect(JSON.stringify(asked?.args.blocks)).toContain(`<@${AR_USER}> asks <@${REP}>`);

    // App Home lists it with its Answer button.
    await sendEvent(h.slack, {
      eventId: 'Ev-ask-home',
      event: {
        type: 'app_home_opened',
        user: REP,
        channel: 'D0ASK',
        tab: 'home',
        event_ts: `${Date.now() / 1000}`,
      },
    });
    const [home] = await h.fake.waitFor('views.publish', (c) => c.args.user_id === REP);
    expect(JSON.stringify(home?.args.view)).toContain('AR is asking you');
    expect(JSON.stringify(home?.args.view)).toContain('ask_answer');

    // Reminders: one on the due day in working hours, none at night, none twice.
    await h.sweep(new Date(`${due}T03:00:00Z`));
    await h.sweep(onDue);
    await h.sweep(new Date(onDue.getTime() + 3_600_000));
    await h.drain();
    const reminders = h.fake
      .callsTo('chat.postMessage')
      .filter(
        (c) => c.args.channel === REP && JSON.stringify(c.args.blocks).includes('still needs an answer'),
      );
    expect(reminders).toHaveLength(1);

    // The day after: escalated to the manager, in the thread and by DM, once; the daily reminder goes on.
    await h.sweep(dayAfter);
    await h.sweep(new Date(dayAfter.getTime() + 3_600_000));
    await h.sweep(new Date(dayAfter.getTime() + 7_200_000));
    await h.drain();
    expect(threadPosts(`<@${MANAGER}>`)).toHaveLength(1);
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === MANAGER)).toHaveLength(1);
    const remindersSoFar = () =>
      h.fake
        .callsTo('chat.postMessage')
        .filter((c) => JSON.stringify(c.args.blocks).includes('still needs an answer'));
    expect(remindersSoFar()).toHaveLength(2);

    // The rep answers with a reply in the thread: the ask closes, the answer is posted.
    await sendEvent(h.slack, {
      eventId: 'Ev-ask-reply',
      event: {
        type: 'message',
        channel: FINANCE_CHANNEL,
        user: REP,
        text: 'PO is 4500012345',
        ts: `${Date.now() / 1000}`,
        thread_ts: asked?.args.thread_ts,
        channel_type: 'channel',
      },
    });
    const [answered] = await h.fake.waitFor('chat.postMessage', (c) =>
      JSON.stringify(c.args.blocks).includes(`<@${REP}> answered`),
    );
    expect(JSON.stringify(answered?.args.blocks)).toContain('PO is 4500012345');
    const ask = await h.database.db.selectFrom('asks').selectAll().executeTakeFirstOrThrow();
    expect(ask).toMatchObject({ status: 'answered', answer: 'PO is 4500012345', answered_by: REP });
    // A closed ask is not reminded any more.
    await h.sweep(new Date(dayAfter.getTime() + DAY));
    await h.drain();
    expect(remindersSoFar()).toHaveLength(2);
  });

  it('AR asks from /ar-update ask; the rep answers in the modal', async () => {
    const deal = await closeDealWithHandoff(h, { rep: REP, key: 'ASK2' });
    await sendSlashCommand(h.slack, {
      command: '/ar-update',
      text: `ask ${deal.accountName}`,
      userId: AR_USER,
      triggerId: 'tr-ask-2',
    });
    const { due } = workingDays();
    const ok = await submitModal(AR_USER, 'tr-ask-2', {
      target: 'keep',
      question: 'Confirm the AP contact?',
      due_on: due,
    });
    expect(ok.text).toBe('');
    const [asked] = await h.fake.waitFor('chat.postMessage', (c) =>
      JSON.stringify(c.args.blocks).includes('Confirm the AP contact?'),
    );
    const askId = buttonValue(asked, 'ask_answer');
    await sendBlockActions(h.slack, {
      userId: REP,
      triggerId: 'tr-answer-2',
      actions: [{ action_id: 'ask_answer', value: askId }],
    });
    const empty = await submitModal(REP, 'tr-answer-2', { answer: ' ' });
    expect(empty.json).toEqual({ response_action: 'errors', errors: { answer: 'Write your answer.' } });
    const done = await submitModal(REP, 'tr-answer-2', { answer: 'Yes: Pat Payables' });
    expect(done.text).toBe('');
    const [answered] = await h.fake.waitFor('chat.postMessage', (c) =>
      JSON.stringify(c.args.blocks).includes('Yes: Pat Payables'),
    );
    expect(answered?.args.channel).toBe(FINANCE_CHANNEL);
    // Answering again is refused.
    await sendBlockActions(h.slack, {
      userId: REP,
      triggerId: 'tr-answer-3',
      actions: [{ action_id: 'ask_answer', value: askId }],
    });
    const [again] = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === 'tr-answer-3');
    expect(JSON.stringify(again?.args.view)).toContain('Already answered');
  });

  it('Send to AR turns a forwarded customer question into an ask for AR, with the message linked', async () => {
    const deal = await closeDealWithHandoff(h, { rep: REP, key: 'ASK3' });
    await sendMessageShortcut(h.slack, {
      callbackId: 'send_to_ar',
      userId: REP,
      channelId: 'C0SALES',
      triggerId: 'tr-send-1',
      message: { ts: '1764590000.000100', text: 'Customer asks: why was VAT charged on INV-9?' },
    });
    const [open] = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === 'tr-send-1');
    expect(JSON.stringify(open?.args.view)).toContain('why was VAT charged');
    const account = await h.database.db
      .selectFrom('accounts')
      .select('id')
      .where('crm_id', '=', deal.accountCrmId)
      .executeTakeFirstOrThrow();
    // Slack sends the prefilled question back as the input's value.
    const question = 'Customer asks: why was VAT charged on INV-9?';
    const missing = await submitModal(REP, 'tr-send-1', { question });
    expect(missing.json).toMatchObject({ response_action: 'errors', errors: { target: expect.any(String) } });
    const sent = await submitModal(REP, 'tr-send-1', { target: `account:${account.id}`, question });
    expect(sent.text).toBe('');
    const [post] = await h.fake.waitFor('chat.postMessage', (c) =>
      JSON.stringify(c.args.blocks).includes('why was VAT charged'),
    );
    expect(post?.args.channel).toBe(FINANCE_CHANNEL);
    const blocks = JSON.stringify(post?.args.blocks);
    expect(blocks).toContain(`<@${AR_USER}>`);
    expect(blocks).toContain('The original message');
    expect(h.fake.callsTo('chat.getPermalink')).toHaveLength(1);
    // AR answers in the thread: the ask closes and the rep is mentioned.
    await sendEvent(h.slack, {
      eventId: 'Ev-send-reply',
      event: {
        type: 'message',
        channel: FINANCE_CHANNEL,
        user: AR_USER,
        text: 'They are not VAT exempt; certificate missing',
        ts: `${Date.now() / 1000}`,
        thread_ts: post?.args.thread_ts,
        channel_type: 'channel',
      },
    });
    const [answered] = await h.fake.waitFor('chat.postMessage', (c) =>
      JSON.stringify(c.args.blocks).includes(`answered <@${REP}>`),
    );
    expect(answered).toBeDefined();
    await eventually(async () => {
      const ask = await h.database.db
        .selectFrom('asks')
        .selectAll()
        .where('direction', '=', 'to_ar')
        .executeTakeFirstOrThrow();
      expect(ask.status).toBe('answered');
    });
  });
});
