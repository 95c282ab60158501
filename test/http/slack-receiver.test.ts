/**
 * /slack/events against odd but correctly signed requests: the process keeps running, each gets a
 * 4xx with a JSON reason or an acknowledgement, and a listener that fails tells the person.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTENER_FAILED_TEXT } from '../../src/views/common.ts';
import { INTAKE_CALLBACK_ID } from '../../src/views/intake-modal.ts';
import { type Harness, startHarness } from '../support/harness.ts';
import {
  sendBlockActions,
  sendSigned,
  sendSlashCommand,
  sendViewSubmission,
} from '../support/slack-request.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const FORM = 'application/x-www-form-urlencoded';
const form = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
const user = { id: 'U0ODD', team_id: 'T0TEAM' };

describe('POST /slack/events: what Bolt cannot read is refused before it reads it', () => {
  it('answers 400 with a reason to payloads that parse to null or to no object', async () => {
    for (const [body, type] of [
      ['payload=null', FORM],
      ['null', 'application/json'],
      ['[1,2]', 'application/json'],
      ['"text"', 'application/json'],
      [form(7), FORM],
    ] as const) {
      const res = await sendSigned(h.slack, body, type);
      expect(res.status, body).toBe(400);
      expect(res.json, body).toEqual({
        error: 'invalid Slack payload',
        problems: ['the payload must be a JSON object'],
      });
    }
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
  });

  it('answers 400 naming the field for null response_urls, a non-list of actions, a null channel', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [
        { type: 'view_submission', user, team: null, view: { id: 'V1' }, response_urls: null },
        /response_urls/,
      ],
      [{ type: 'block_actions', user, team: { id: 'T0TEAM' }, actions: 'open' }, /actions/],
      [{ type: 'block_actions', user, team: { id: 'T0TEAM' }, channel: null, actions: [] }, /channel/],
      [{ type: 'block_actions', team: { id: 'T0TEAM' }, actions: [{ action_id: 'x' }] }, /user/],
      // Bolt matches action ids against patterns with String methods: a null id threw in its matching.
      [{ type: 'block_actions', user, team: null, actions: [{ action_id: null }] }, /actions\.0\.action_id/],
      [{ type: 'block_suggestion', user, team: null, action_id: 'a', value: 5 }, /value/],
      [{ type: 'something_else', user }, /not a Slack event, command or interaction/],
    ];
    for (const [payload, problem] of cases) {
      const res = await sendSigned(h.slack, form(payload), FORM);
      expect(res.status, JSON.stringify(payload)).toBe(400);
      expect((res.json as { problems: string[] }).problems.join('; ')).toMatch(problem);
    }
    const event = await sendSigned(
      h.slack,
      JSON.stringify({ type: 'event_callback', event: null }),
      'application/json',
    );
    expect(event.status).toBe(400);
  });

  it('refuses bodies that are not UTF-8, or malformed, with 400, and unsigned ones with 401', async () => {
    const notUtf8 = await sendSigned(h.slack, Buffer.from([0x70, 0x61, 0x79, 0xff]), FORM);
    expect(notUtf8).toMatchObject({ status: 400, json: { problems: ['the body is not valid UTF-8'] } });
    const malformed = await sendSigned(h.slack, 'payload=%7Bnope', FORM);
    expect(malformed.status).toBe(400);
    expect((malformed.json as { problems: string[] }).problems[0]).toMatch(/^malformed payload/);
    const forged = await sendSigned(h.slack, form({ type: 'block_actions', user, actions: [] }), FORM, {
      badSignature: true,
    });
    expect(forged).toMatchObject({ status: 401, json: { error: 'invalid signature' } });
  });

  it('refuses a correctly signed request dated more than five minutes ahead, and does nothing', async () => {
    const res = await sendSlashCommand(
      h.slack,
      { command: '/handoff', userId: 'U0FUTURE' },
      { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 },
    );
    expect(res).toMatchObject({
      status: 401,
      json: { problems: ['X-Slack-Request-Timestamp is more than 5 minutes away from now'] },
    });
    expect(h.fake.callsTo('views.open')).toEqual([]);
  });

  it('answers 404 with JSON for an unknown path, and 400 for a URL that cannot be parsed', async () => {
    const missing = await fetch(`${h.baseUrl}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not found', problems: [] });
    const status = await new Promise<number>((resolve, reject) => {
      import('node:net').then(({ connect }) => {
        const socket = connect(Number(new URL(h.baseUrl).port), '127.0.0.1', () => {
          socket.write('GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        });
        let text = '';
        socket.on('data', (d) => {
          text += d;
        });
        socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1])));
        socket.on('error', reject);
      }, reject);
    });
    expect(status).toBe(400);
  });

  it('acknowledges at once a request that no listener handles', async () => {
    const started = Date.now();
    const res = await sendBlockActions(h.slack, {
      userId: 'U0ODD',
      actions: [{ action_id: 'no_such_button' }],
    });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('a listener that fails tells the person', () => {
  it('a button with a value that is no id: an ephemeral reply in the conversation', async () => {
    const responseUrl = h.fake.responseUrl();
    const res = await sendBlockActions(h.slack, {
      userId: 'U0ODD',
      responseUrl,
      channelId: 'D0ODD',
      actions: [{ action_id: 'handoff_open', value: 'not-a-number' }],
    });
    expect(res.status).toBe(200);
    const [reply] = await h.fake.waitForResponse((r) => r.path === new URL(responseUrl).pathname);
    expect(reply?.body).toEqual({
      response_type: 'ephemeral',
      replace_original: false,
      text: LISTENER_FAILED_TEXT,
    });
  });

  it('a command that fails before answering: the ephemeral answer says so', async () => {
    // A NUL in the search text is refused by the database: the listener fails before it acknowledges.
    const res = await sendSlashCommand(h.slack, {
      command: '/ar-status',
      text: 'acme\u0000',
      userId: 'U0ODD',
    });
    expect(res).toMatchObject({
      status: 200,
      json: { response_type: 'ephemeral', text: LISTENER_FAILED_TEXT },
    });
  });

  it('a form submitted without its state: an error under its first input, nothing typed is lost', async () => {
    const view = {
      callback_id: INTAKE_CALLBACK_ID,
      private_metadata: JSON.stringify({ dealId: 1 }),
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Billing handoff' } },
        { type: 'input', block_id: 'legal_entity', label: { type: 'plain_text', text: 'Legal entity' } },
      ],
    } as unknown as Parameters<typeof sendViewSubmission>[1]['view'];
    const res = await sendViewSubmission(h.slack, { userId: 'U0ODD', view });
    expect(res).toMatchObject({
      status: 200,
      json: { response_action: 'errors', errors: { legal_entity: LISTENER_FAILED_TEXT } },
    });
  });
});
