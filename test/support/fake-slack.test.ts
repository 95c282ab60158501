import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { ErrorCode, WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';
import {
  type SlackTarget,
  sendBlockActions,
  sendBlockSuggestion,
  sendEvent,
  sendSlashCommand,
  sendUrlVerification,
  sendViewSubmission,
  signWebhook,
  slackSignature,
} from './slack-request.ts';

const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Invoice* INV-1 is 30 days past due' } }];

describe('fake Slack Web API driven by @slack/web-api', () => {
  let fake: FakeSlack;
  let client: WebClient;

  beforeAll(async () => {
    fake = await startFakeSlack();
    client = new WebClient('xoxb-test', { slackApiUrl: fake.url, logLevel: LogLevel.ERROR });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await fake.close();
  });

  it('serves auth.test', async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({ ok: true, team_id: 'T0TEAM', user_id: 'U0BOT', bot_id: 'B0BOT' });
    expect(fake.callsTo('auth.test')[0]?.token).toBe('xoxb-test');
  });

  it('records decoded blocks, DMs a user on a stable D channel and updates the message', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0AR', text: 'INV-1 past due', blocks });
    expect(posted.ok).toBe(true);
    expect(posted.channel).toBe('C0AR');
    expect(posted.message).toMatchObject({ type: 'message', user: 'U0BOT', blocks });
    const [call] = fake.callsTo('chat.postMessage');
    expect(call?.args.blocks).toEqual(blocks);
    expect(call?.args.channel).toBe('C0AR');
    expect(call?.args).not.toHaveProperty('token');

    const dm = await client.chat.postMessage({ channel: 'U0REP01', text: 'hello' });
    const again = await client.chat.postMessage({ channel: 'U0REP01', text: 'again', thread_ts: dm.ts });
    expect(dm.channel).toBe('D0REP01');
    expect(again.channel).toBe('D0REP01');
    expect(again.message?.thread_ts).toBe(dm.ts);
    expect(Number(again.ts)).toBeGreaterThan(Number(dm.ts));
    const opened = await client.conversations.open({ users: 'U0REP01' });
    expect(opened.channel?.id).toBe('D0REP01');

    const updated = await client.chat.update({ channel: 'D0REP01', ts: dm.ts ?? '', text: 'edited' });
    expect(updated).toMatchObject({ ok: true, channel: 'D0REP01', ts: dm.ts, text: 'edited' });
    await expect(client.chat.update({ channel: 'D0REP01', ts: '1.000000', text: 'x' })).rejects.toMatchObject(
      {
        data: { error: 'message_not_found' },
      },
    );
    await expect(client.chat.postMessage({ channel: '', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });

    const link = await client.chat.getPermalink({ channel: 'C0AR', message_ts: posted.ts ?? '' });
    expect(link.permalink).toBe(`https://fake.slack.com/archives/C0AR/p${posted.ts?.replace('.', '')}`);
  });

  it('retries an injected 429 after Retry-After and records the message once', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    const res = await client.chat.postMessage({ channel: 'C0AR', text: 'after the rate limit' });
    const elapsed = Date.now() - started;

    expect(res.ok).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(fake.calls.map((c) => [c.method, c.fault])).toEqual([
      ['chat.postMessage', 429],
      ['chat.postMessage', undefined],
    ]);
  }, 15_000);

  it('injects HTTP 500 (retried by the client, or surfaced with retries off)', async () => {
    const retrying = new WebClient('xoxb-test', {
      slackApiUrl: fake.url,
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 10 },
    });
    fake.failNext('chat.postMessage', { status: 500 });
    await retrying.chat.postMessage({ channel: 'C0AR', text: 'eventually' });
    expect(fake.calls.map((c) => c.fault)).toEqual([500, undefined]);

    const strict = new WebClient('xoxb-test', {
      slackApiUrl: fake.url,
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 0 },
    });
    fake.failNext('chat.postMessage', { status: 500 });
    await expect(strict.chat.postMessage({ channel: 'C0AR', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.HTTPError,
      statusCode: 500,
    });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('injects an ok:false error', async () => {
    fake.failNext('chat.postMessage', { error: 'not_in_channel' }, 2);
    for (let i = 0; i < 2; i += 1) {
      await expect(client.chat.postMessage({ channel: 'C0AR', text: 'x' })).rejects.toMatchObject({
        code: ErrorCode.PlatformError,
        data: { ok: false, error: 'not_in_channel' },
      });
    }
    await client.chat.postMessage({ channel: 'C0AR', text: 'third time lucky' });
    expect(fake.calls.map((c) => c.fault)).toEqual([200, 200, undefined]);
  });

  it('drops the connection before handling a call, or after it took effect', async () => {
    const strict = new WebClient('xoxb-test', {
      slackApiUrl: fake.url,
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 0 },
    });
    fake.failNext('chat.postMessage', { drop: 'before' });
    await expect(strict.chat.postMessage({ channel: 'C0DROP', text: 'lost' })).rejects.toMatchObject({
      code: ErrorCode.RequestError,
    });
    fake.failNext('chat.postMessage', { drop: 'after' });
    await expect(
      strict.chat.postMessage({ channel: 'C0DROP', text: 'posted, unanswered' }),
    ).rejects.toMatchObject({
      code: ErrorCode.RequestError,
    });
    expect(fake.calls.map((c) => [c.fault, c.dropped])).toEqual([
      [0, 'before'],
      [undefined, 'after'],
    ]);
    expect(
      fake
        .messages()
        .filter((m) => m.channel === 'C0DROP')
        .map((m) => m.text),
    ).toEqual(['posted, unanswered']);
  });

  it('returns metadata from history and replies only when asked, in pages of at most 15', async () => {
    const metadata = (key: string) => ({ event_type: 'test_event', event_payload: { key } });
    const root = await client.chat.postMessage({
      channel: 'C0HIST',
      text: 'root',
      metadata: metadata('root'),
    });
    for (let i = 0; i < 20; i++)
      await client.chat.postMessage({ channel: 'C0HIST', text: `top ${i}`, metadata: metadata(`top:${i}`) });
    await client.chat.postMessage({
      channel: 'C0HIST',
      text: 'reply',
      thread_ts: root.ts,
      metadata: metadata('reply'),
    });

    const first = await client.conversations.history({ channel: 'C0HIST', limit: 100 });
    expect(first.messages).toHaveLength(15);
    expect(first.messages?.[0]?.text).toBe('top 19');
    expect(first.messages?.[0]).not.toHaveProperty('metadata');
    const rest = await client.conversations.history({
      channel: 'C0HIST',
      include_all_metadata: true,
      cursor: first.response_metadata?.next_cursor,
    });
    expect(rest.messages?.map((m) => m.text)).toEqual(['top 4', 'top 3', 'top 2', 'top 1', 'top 0', 'root']);
    expect(rest.messages?.at(-1)?.metadata).toEqual(metadata('root'));
    expect(rest.has_more).toBe(false);

    const thread = await client.conversations.replies({
      channel: 'C0HIST',
      ts: root.ts ?? '',
      include_all_metadata: true,
    });
    expect(thread.messages?.map((m) => [m.text, m.metadata?.event_payload])).toEqual([
      ['root', { key: 'root' }],
      ['reply', { key: 'reply' }],
    ]);
    const later = await client.conversations.history({ channel: 'C0HIST', oldest: first.messages?.[1]?.ts });
    expect(later.messages?.map((m) => m.text)).toEqual(['top 19']);
    await expect(client.conversations.replies({ channel: 'C0HIST', ts: '1.000000' })).rejects.toMatchObject({
      data: { error: 'thread_not_found' },
    });
  });

  it('injects faults at random with chaos, the same ones for the same seed', async () => {
    const strict = new WebClient('xoxb-test', {
      slackApiUrl: fake.url,
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    const run = async () => {
      fake.reset();
      fake.chaos({
        seed: 7,
        rateLimited: 0.2,
        serverError: 0.2,
        reset: 0.1,
        acceptThenDrop: 0.1,
        methods: ['chat.postMessage'],
      });
      for (let i = 0; i < 40; i++)
        await strict.chat.postMessage({ channel: 'C0CHAOS', text: `${i}` }).catch(() => {});
      await strict.auth.test();
      return fake.calls.map((c) => c.fault ?? c.dropped ?? 'ok');
    };
    const once = await run();
    expect(await run()).toEqual(once);
    for (const outcome of [429, 500, 0, 'after', 'ok']) expect(once).toContain(outcome);
    expect(once.at(-1)).toBe('ok');
    fake.chaos(null);
  });

  it('opens a modal and rejects an update with a stale hash', async () => {
    const view = {
      type: 'modal' as const,
      callback_id: 'handoff',
      private_metadata: '{"dealId":"D-1"}',
      title: { type: 'plain_text' as const, text: 'Handoff' },
      blocks,
    };
    const opened = await client.views.open({ trigger_id: '123.456.abc', view });
    const id = opened.view?.id ?? '';
    const firstHash = opened.view?.hash ?? '';
    expect(opened.view).toMatchObject({
      id: expect.stringMatching(/^V/),
      team_id: 'T0TEAM',
      callback_id: 'handoff',
      private_metadata: '{"dealId":"D-1"}',
      state: { values: {} },
      blocks,
    });
    expect(fake.callsTo('views.open')[0]?.args.view).toEqual(view);

    const updated = await client.views.update({
      view_id: id,
      hash: firstHash,
      view: { ...view, blocks: [] },
    });
    expect(updated.view?.id).toBe(id);
    expect(updated.view?.hash).not.toBe(firstHash);
    expect(fake.views.get(id)?.blocks).toEqual([]);

    await expect(client.views.update({ view_id: id, hash: firstHash, view })).rejects.toMatchObject({
      data: { ok: false, error: 'hash_conflict' },
    });

    const home = await client.views.publish({ user_id: 'U0REP01', view: { type: 'home', blocks } });
    const republished = await client.views.publish({
      user_id: 'U0REP01',
      view: { type: 'home', blocks: [] },
    });
    expect(republished.view?.id).toBe(home.view?.id);
  });

  it('looks users up by id and email', async () => {
    fake.addUser({ id: 'U0REP01', email: 'Rep@Example.com', tz: 'America/New_York', realName: 'Rae Rep' });
    const found = await client.users.lookupByEmail({ email: 'rep@example.com' });
    expect(found.user).toMatchObject({
      id: 'U0REP01',
      real_name: 'Rae Rep',
      tz: 'America/New_York',
      is_bot: false,
      deleted: false,
      profile: { email: 'Rep@Example.com', real_name: 'Rae Rep' },
    });
    expect([-5 * 3600, -4 * 3600]).toContain(found.user?.tz_offset);

    await expect(client.users.lookupByEmail({ email: 'nobody@example.com' })).rejects.toMatchObject({
      data: { error: 'users_not_found' },
    });
    const info = await client.users.info({ user: 'U0REP01' });
    expect(info.user?.tz_label).toMatch(/Eastern/);
    await expect(client.users.info({ user: 'U0NOBODY' })).rejects.toMatchObject({
      data: { error: 'user_not_found' },
    });
  });

  it('answers unknown methods with unknown_method and waits with a helpful timeout', async () => {
    await expect(client.apiCall('reminders.add', { text: 'x' })).rejects.toMatchObject({
      data: { error: 'unknown_method' },
    });
    await expect(fake.waitFor('chat.postMessage', undefined, { timeoutMs: 50 })).rejects.toThrow(
      /chat\.postMessage.*reminders\.add ×1/,
    );
  });

  it('takes an external upload as files.uploadV2 makes it, and shows only completed files in image blocks', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const refused = await client.chat
      .postMessage({
        channel: 'C0AR',
        text: 'chart',
        blocks: [{ type: 'image', slack_file: { id: 'F0NONE' }, alt_text: 'x' }],
      })
      .catch((e: { data?: { error?: string } }) => e.data?.error);
    expect(refused).toBe('invalid_blocks');
    const url = await client.files.getUploadURLExternal({ filename: 'aging.png', length: png.length });
    expect(url.upload_url?.startsWith(fake.url.replace('/api/', '/upload/'))).toBe(true);
    const id = url.file_id as string;
    // Not completed before its bytes arrive.
    await expect(client.files.completeUploadExternal({ files: [{ id }] })).rejects.toMatchObject({
      data: { error: 'file_not_found' },
    });
    const posted = await fetch(url.upload_url as string, { method: 'POST', body: png });
    expect(posted.status).toBe(200);
    const done = await client.files.completeUploadExternal({ files: [{ id, title: 'Aging' }] });
    expect(done.files?.[0]).toMatchObject({ id, title: 'Aging' });
    expect(fake.files.get(id)).toMatchObject({ filename: 'aging.png', completed: true, title: 'Aging' });
    expect(fake.files.get(id)?.bytes?.equals(png)).toBe(true);
    const shown = await client.chat.postMessage({
      channel: 'C0AR',
      text: 'chart',
      blocks: [{ type: 'image', slack_file: { id }, alt_text: 'aging' }],
    });
    expect(shown.ok).toBe(true);
    // The other methods are unchanged.
    expect((await client.chat.postMessage({ channel: 'C0AR', text: 'plain', blocks })).ok).toBe(true);
  });

  it('accepts JSON bodies', async () => {
    const res = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer xoxb-json' },
      body: JSON.stringify({ channel: 'C0AR', blocks }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'C0AR' });
    const [call] = await fake.waitFor('chat.postMessage', (c) => c.token === 'xoxb-json');
    expect(call?.args.blocks).toEqual(blocks);
  });
});

describe('a Bolt App with the HTTP receiver', () => {
  const signingSecret = 'test-signing-secret';
  let fake: FakeSlack;
  let app: App;
  let target: SlackTarget;
  const seen: Record<string, unknown> = {};

  beforeAll(async () => {
    fake = await startFakeSlack();
    app = new App({
      receiver: new HTTPReceiver({ signingSecret, logLevel: LogLevel.ERROR }),
      token: 'xoxb-bolt',
      clientOptions: { slackApiUrl: fake.url },
      logLevel: LogLevel.ERROR,
    });
    app.command('/ar', async ({ ack, command }) => {
      await ack(`AR Bridge got: ${command.text}`);
    });
    app.action('approve', async ({ ack, respond, body, client }) => {
      await ack();
      seen.action = body;
      await respond({ text: 'Approved', replace_original: false });
      await client.chat.postMessage({ channel: body.user.id, text: 'You approved it' });
    });
    app.view('handoff', async ({ ack, view }) => {
      seen.view = view;
      await ack({ response_action: 'errors', errors: { amount: 'Must be positive' } });
    });
    app.options('customer', async ({ ack, payload }) => {
      await ack({ options: [{ text: { type: 'plain_text', text: `Acme ${payload.value}` }, value: 'C-1' }] });
    });
    app.event('app_mention', async ({ event, context }) => {
      seen.mention = { text: event.text, retryNum: context.retryNum, retryReason: context.retryReason };
    });
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    target = { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, signingSecret };
  });
  afterAll(async () => {
    await app.stop();
    await fake.close();
  });

  it('verifies its token against the fake', async () => {
    const [call] = await fake.waitFor('auth.test');
    expect(call?.token).toBe('xoxb-bolt');
  });

  it('answers a signed slash command with the ack text', async () => {
    const res = await sendSlashCommand(target, { command: '/ar', text: 'status INV-1', userId: 'U0REP01' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('AR Bridge got: status INV-1');
  });

  it('rejects a bad or stale signature with 401', async () => {
    const bad = await sendSlashCommand(target, { command: '/ar', userId: 'U0REP01' }, { badSignature: true });
    expect(bad.status).toBe(401);
    const stale = await sendSlashCommand(
      target,
      { command: '/ar', userId: 'U0REP01' },
      { timestamp: Math.floor(Date.now() / 1000) - 600 },
    );
    expect(stale.status).toBe(401);
  });

  it('routes block_actions to app.action; respond() reaches the fake response_url', async () => {
    const responseUrl = fake.responseUrl();
    const res = await sendBlockActions(target, {
      userId: 'U0REP01',
      channelId: 'C0AR',
      responseUrl,
      message: { type: 'message', ts: '1764000000.000100', text: 'INV-1' },
      actions: [{ action_id: 'approve', value: 'INV-1' }],
    });
    expect(res.status).toBe(200);
    const [response] = await fake.waitForResponse((r) => r.path === new URL(responseUrl).pathname);
    expect(response?.body).toEqual({ text: 'Approved', replace_original: false });
    const [dm] = await fake.waitFor('chat.postMessage', (c) => c.args.channel === 'U0REP01');
    expect(dm?.token).toBe('xoxb-bolt');
    expect(seen.action).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0REP01', team_id: 'T0TEAM' },
      actions: [{ action_id: 'approve', value: 'INV-1', type: 'button' }],
    });
  });

  it('routes view_submission to app.view and returns the ack body', async () => {
    const values = { amount: { amount: { type: 'plain_text_input', value: '-5' } } };
    const res = await sendViewSubmission(target, {
      userId: 'U0REP01',
      view: { callback_id: 'handoff', private_metadata: 'deal-1', state: { values } },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response_action: 'errors', errors: { amount: 'Must be positive' } });
    expect(seen.view).toMatchObject({
      callback_id: 'handoff',
      private_metadata: 'deal-1',
      state: { values },
    });
  });

  it('answers block_suggestion from app.options', async () => {
    const res = await sendBlockSuggestion(target, { userId: 'U0REP01', actionId: 'customer', value: 'ac' });
    expect(res.json).toEqual({ options: [{ text: { type: 'plain_text', text: 'Acme ac' }, value: 'C-1' }] });
  });

  it('delivers events with retry headers and answers url_verification', async () => {
    const res = await sendEvent(
      target,
      {
        event: { type: 'app_mention', user: 'U0REP01', text: '<@U0BOT> hi', channel: 'C0AR', ts: '1.000001' },
      },
      { retryNum: 1, retryReason: 'http_timeout' },
    );
    expect(res.status).toBe(200);
    await expect
      .poll(() => seen.mention)
      .toEqual({ text: '<@U0BOT> hi', retryNum: 1, retryReason: 'http_timeout' });

    const challenge = await sendUrlVerification(target, 'abc123');
    expect(challenge.json).toEqual({ challenge: 'abc123' });
  });
});

describe('signing helpers', () => {
  it('matches the Slack documentation example', () => {
    // https://docs.slack.dev/authentication/verifying-requests-from-slack
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('signs AR Bridge webhooks', () => {
    const headers = signWebhook('s3cret', '{"a":1}', 1764000000);
    expect(headers).toEqual({
      'content-type': 'application/json',
      'x-arbridge-timestamp': '1764000000',
      'x-arbridge-signature': expect.stringMatching(/^sha256=[0-9a-f]{64}$/),
    });
  });
});

describe('fake Slack with several workspaces', () => {
  let fake: FakeSlack;
  const options = { logLevel: LogLevel.ERROR };
  beforeAll(async () => {
    fake = await startFakeSlack();
    fake.oauthApp({
      clientId: '1.2',
      clientSecret: 'shh',
      redirectUrl: 'http://app.example/slack/oauth_redirect',
    });
    fake.addWorkspace({ teamId: 'T0SECOND', botUserId: 'U0BOT2', domain: 'second' });
  });
  afterAll(async () => fake.close());

  it('issues a token through the consent page and oauth.v2.access, once per code, answered by its workspace', async () => {
    const consent = await fetch(
      `${fake.url.replace(/api\/$/, '')}oauth/v2/authorize?client_id=1.2&scope=chat:write&state=S1&team=T0SECOND`,
      { redirect: 'manual' },
    );
    expect(consent.status).toBe(302);
    const back = new URL(consent.headers.get('location') as string);
    expect(back.origin + back.pathname).toBe('http://app.example/slack/oauth_redirect');
    expect(back.searchParams.get('state')).toBe('S1');
    const code = back.searchParams.get('code') as string;

    const noToken = new WebClient(undefined, { ...options, slackApiUrl: fake.url });
    const wrong = noToken.oauth.v2.access({ client_id: '1.2', client_secret: 'nope', code });
    await expect(wrong).rejects.toMatchObject({ data: { error: 'invalid_client_id' } });
    const granted = await noToken.oauth.v2.access({ client_id: '1.2', client_secret: 'shh', code });
    expect(granted).toMatchObject({ team: { id: 'T0SECOND' }, bot_user_id: 'U0BOT2', scope: 'chat:write' });
    const again = noToken.oauth.v2.access({ client_id: '1.2', client_secret: 'shh', code });
    await expect(again).rejects.toMatchObject({ data: { error: 'invalid_code' } });

    const second = new WebClient(granted.access_token, { ...options, slackApiUrl: fake.url });
    expect(await second.auth.test()).toMatchObject({ team_id: 'T0SECOND', user_id: 'U0BOT2' });
    await second.chat.postMessage({ channel: 'C0FIN', text: 'in the second workspace' });
    const first = new WebClient('xoxb-any', { ...options, slackApiUrl: fake.url });
    expect(await first.auth.test()).toMatchObject({ team_id: 'T0TEAM' });
    expect(fake.callsOf('T0SECOND').map((c) => c.method)).toEqual(['auth.test', 'chat.postMessage']);
    expect(fake.messages()).toEqual([]);

    fake.revokeTokens('T0SECOND');
    await expect(second.auth.test()).rejects.toMatchObject({ data: { error: 'token_revoked' } });
  });
});
