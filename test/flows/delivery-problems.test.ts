/**
 * Permanent Slack errors, through the running app and the fake Slack: each is told once, to
 * someone who can fix it, and a dead token pauses deliveries instead of failing them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findNotificationByKey } from '../../src/db/notifications.ts';
import { enqueue, type Target } from '../../src/outbox/outbox.ts';
import { eventually, FINANCE_CHANNEL, type Harness, startHarness } from '../support/harness.ts';

const ADMINS = ['U0ADMIN1', 'U0ADMIN2'];
let h: Harness;
let n = 0;

beforeAll(async () => {
  h = await startHarness(
    { ADMIN_USER_IDS: ADMINS.join(',') },
    { pollMs: 25, channelGapMs: 0, tokenCheckMs: 100 },
  );
  for (const id of [...ADMINS, 'U0REP1']) h.fake.addUser({ id });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.fake.reset());

async function send(target: Target, text = `message ${++n}`): Promise<string> {
  const dedupeKey = `test:${++n}`;
  await enqueue(h.database.db, { teamId: h.fake.teamId, dedupeKey, target, message: { text } });
  h.running.outbox.kick();
  return dedupeKey;
}

const posts = (channel: string) =>
  h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && !c.fault);
const metrics = async () => (await fetch(`${h.baseUrl}/metrics`)).text();

describe('a permanent Slack error is reported once, with its fix', () => {
  it('tells each admin by DM when the bot cannot post in the finance channel', async () => {
    h.fake.failNext('chat.postMessage', { error: 'not_in_channel' });
    const first = await send({ kind: 'channel', channel: FINANCE_CHANNEL });
    await h.drain();
    h.fake.failNext('chat.postMessage', { error: 'not_in_channel' });
    const second = await send({ kind: 'channel', channel: FINANCE_CHANNEL });
    await h.drain();
    for (const key of [first, second])
      expect(await findNotificationByKey(h.database.db, h.fake.teamId, key)).toMatchObject({
        status: 'failed',
        last_error: 'not_in_channel',
      });
    for (const admin of ADMINS) {
      const dms = posts(admin);
      expect(dms).toHaveLength(1);
      expect(String(dms[0]?.args.text)).toContain('/invite @AR Bridge');
    }
    const text = await metrics();
    expect(text).toMatch(/arbridge_outbox_rows\{status="failed"\} 2/);
    expect(text).toMatch(
      /arbridge_outbox_deliveries_total\{method="chat.postMessage",result="slack_error"\} 2/,
    );
  });

  it('tells the finance channel when a DM cannot be delivered', async () => {
    h.fake.failNext('chat.postMessage', { error: 'cannot_dm_bot' });
    await send({ kind: 'user', userId: 'U0REP1' });
    await h.drain();
    h.fake.failNext('chat.postMessage', { error: 'cannot_dm_bot' });
    await send({ kind: 'user', userId: 'U0REP1' });
    await h.drain();
    const notices = posts(FINANCE_CHANNEL);
    expect(notices).toHaveLength(1);
    expect(String(notices[0]?.args.text)).toMatch(/<@U0REP1> is a bot/);
  });

  it('pauses deliveries while Slack rejects the token, says so in /readyz and /metrics, and resumes', async () => {
    h.fake.failNext('chat.postMessage', { error: 'invalid_auth' });
    h.fake.failNext('auth.test', { error: 'invalid_auth' }, 10_000);
    const key = await send({ kind: 'channel', channel: FINANCE_CHANNEL }, 'kept while paused');
    await eventually(async () => {
      const ready = await fetch(`${h.baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { reason: string }).reason).toMatch(
        /rejects the bot token \(invalid_auth\)/,
      );
    }, 10_000);
    // The worker reports the problem as soon as Slack answers, then hands the row back: wait for it.
    await eventually(async () =>
      expect(await findNotificationByKey(h.database.db, h.fake.teamId, key)).toMatchObject({
        status: 'pending',
        attempts: 0,
      }),
    );
    expect(await metrics()).toMatch(/arbridge_slack_token_ok 0/);
    // It keeps asking auth.test, and posts nothing meanwhile.
    await eventually(
      () => expect(h.fake.calls.filter((c) => c.method === 'auth.test').length).toBeGreaterThanOrEqual(3),
      10_000,
    );
    expect(posts(FINANCE_CHANNEL)).toHaveLength(0);

    h.fake.reset(); // auth.test works again
    await h.drain();
    expect(posts(FINANCE_CHANNEL).map((c) => c.args.text)).toEqual(['kept while paused']);
    expect((await fetch(`${h.baseUrl}/readyz`)).status).toBe(200);
    expect(await metrics()).toMatch(/arbridge_slack_token_ok 1/);
  });
});

describe('GET /metrics', () => {
  it('times the sweeps and counts what they did', async () => {
    await h.sweep(new Date());
    const text = await metrics();
    for (const sweep of ['handoff_nags', 'past_due', 'housekeeping'])
      expect(text).toMatch(
        new RegExp(`arbridge_sweep_duration_seconds_count\\{sweep="${sweep}",result="ok"\\} 1`),
      );
    expect(text).toMatch(/arbridge_http_requests_total\{route="\/metrics",status="200"\} \d+/);
    expect(text).toMatch(/arbridge_nodejs_eventloop_lag_seconds \d/);
  });
});
