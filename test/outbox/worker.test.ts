import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { upsertAccount } from '../../src/db/accounts.ts';
import type { DatabaseHandle } from '../../src/db/connect.ts';
import { createDeliveryWorker } from '../../src/flows/delivery.ts';
import { createLogger } from '../../src/log.ts';
import { enqueue } from '../../src/outbox/outbox.ts';
import {
  MAX_POLL_BACKOFF_MS,
  type OutboxWorker,
  pollBackoffMs,
  type WorkerOptions,
} from '../../src/outbox/worker.ts';
import { createSlackClient } from '../../src/slack/client.ts';
import { openTestDatabase, usingPostgres } from '../support/db.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';

const TEAM = 'T0TEAM';
let fake: FakeSlack;
let database: DatabaseHandle;
let key = 0;
const logger = createLogger('silent', false);

beforeAll(async () => {
  fake = await startFakeSlack();
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.close();
  await fake?.close();
});
beforeEach(async () => {
  fake.reset();
  await database.db.deleteFrom('notifications').execute();
});

const testConfig = () =>
  loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: 'test',
    SLACK_API_URL: fake.url,
    FINANCE_CHANNEL_ID: 'C0FINANCE',
  });

/** A post in an account's thread (a reply unless `extra` says it may start the thread). */
const threadPost = (
  accountId: number,
  dedupeKey: string,
  channel: string,
  text: string,
  extra: { rootOnly?: boolean; startsThread?: boolean } = {},
) => ({
  teamId: TEAM,
  dedupeKey,
  target: { kind: 'account_thread' as const, accountId, channel, ...extra },
  message: { text },
});

function worker(options: WorkerOptions = {}, db = database.db): OutboxWorker {
  const config = testConfig();
  const client = createSlackClient(config, 'delivery', logger);
  return createDeliveryWorker({ db, config, clock: systemClock, logger }, client, {
    pollMs: 20,
    channelGapMs: 0,
    ...options,
  });
}

async function drain(w: OutboxWorker, rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) if ((await w.runOnce()) === 0) return;
}

const post = (channel: string, text = `hello ${++key}`) => ({
  teamId: TEAM,
  dedupeKey: `test:${++key}`,
  target: { kind: 'channel' as const, channel },
  message: { text },
});

async function row(dedupeKey: string) {
  return database.db
    .selectFrom('notifications')
    .selectAll()
    .where('dedupe_key', '=', dedupeKey)
    .executeTakeFirstOrThrow();
}

describe('outbox', () => {
  it('enqueues a dedupe key once', async () => {
    const n = post('C1');
    expect(await enqueue(database.db, n)).toBe(true);
    expect(await enqueue(database.db, { ...n, message: { text: 'other' } })).toBe(false);
    const w = worker();
    await drain(w);
    expect(fake.callsTo('chat.postMessage').map((c) => c.args.text)).toEqual([n.message.text]);
    expect(await row(n.dedupeKey)).toMatchObject({ status: 'sent', channel: 'C1', attempts: 1 });
    // The key travels in the message's metadata; a delivery nothing went wrong with looks nothing up.
    expect(fake.callsTo('chat.postMessage')[0]?.args.metadata).toEqual({
      event_type: 'ar_bridge_notification',
      event_payload: { key: n.dedupeKey },
    });
    expect(fake.calls.filter((c) => c.method.startsWith('conversations.'))).toEqual([]);
  });

  it('backs off on a 500 and delivers once it recovers', async () => {
    fake.failNext('chat.postMessage', { status: 500 });
    const n = post('C1');
    await enqueue(database.db, n);
    const w = worker();
    await w.runOnce();
    const failed = await row(n.dedupeKey);
    expect(failed.status).toBe('pending');
    expect(failed.last_error).toMatch(/500/);
    expect(failed.next_attempt_at.getTime()).toBeGreaterThan(Date.now());
    await database.db.updateTable('notifications').set({ next_attempt_at: new Date() }).execute();
    await drain(w);
    expect(await row(n.dedupeKey)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('gives up on a permanent Slack error without retrying', async () => {
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    const n = post('C404');
    await enqueue(database.db, n);
    await drain(worker());
    expect(await row(n.dedupeKey)).toMatchObject({ status: 'failed', last_error: 'channel_not_found' });
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
  });

  it('edits a message only after the original was delivered', async () => {
    const original = post('C1');
    await enqueue(database.db, { ...original, notBefore: new Date(Date.now() + 60_000) });
    await enqueue(database.db, {
      teamId: TEAM,
      dedupeKey: 'edit:1',
      target: { kind: 'update', of: original.dedupeKey },
      message: { text: 'edited' },
    });
    const w = worker();
    await w.runOnce();
    expect(await row('edit:1')).toMatchObject({ status: 'pending', attempts: 0 });
    expect(fake.callsTo('chat.update')).toEqual([]);
    await database.db.updateTable('notifications').set({ next_attempt_at: new Date() }).execute();
    await drain(w);
    const [sent] = fake.callsTo('chat.postMessage');
    const [edit] = fake.callsTo('chat.update');
    expect(edit?.args).toMatchObject({ channel: 'C1', ts: sent?.response?.ts, text: 'edited' });
  });

  it('drops an edit of a message that was never delivered', async () => {
    await enqueue(database.db, {
      teamId: TEAM,
      dedupeKey: 'edit:orphan',
      target: { kind: 'update', of: 'never:queued' },
      message: { text: 'edited' },
    });
    await drain(worker());
    expect(await row('edit:orphan')).toMatchObject({ status: 'cancelled' });
  });

  it('starts an account thread once and replies in it after', async () => {
    const account = await upsertAccount(database.db, TEAM, { crmId: `A-${++key}`, name: `Thread Co ${key}` });
    for (const text of ['root', 'reply 1', 'reply 2']) {
      await enqueue(
        database.db,
        threadPost(account.id, `thread:${account.id}:${text}`, 'CFIN', text, {
          startsThread: text === 'root',
        }),
      );
    }
    await drain(worker());
    const posts = fake.callsTo('chat.postMessage');
    const rootTs = posts[0]?.response?.ts;
    expect(posts.map((c) => [c.args.text, c.args.thread_ts])).toEqual([
      ['root', undefined],
      ['reply 1', rootTs],
      ['reply 2', rootTs],
    ]);
    const stored = await database.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ thread_channel: 'CFIN', thread_ts: rootTs });
  });

  it('paces posts to one channel about a second apart', async () => {
    await enqueue(database.db, post('CPACE', 'one'));
    await enqueue(database.db, post('CPACE', 'two'));
    const w = worker({ channelGapMs: 1_000 });
    w.start();
    try {
      const calls = await fake.waitFor('chat.postMessage', (c) => c.args.channel === 'CPACE', {
        count: 2,
        timeoutMs: 5_000,
      });
      expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    } finally {
      await w.stop();
    }
  });

  it('takes over a row whose worker died mid-delivery once its claim expires', async () => {
    const n = post('C1');
    await enqueue(database.db, n);
    await database.db
      .updateTable('notifications')
      .set({ status: 'sending', attempts: 1, claimed_until: sql<Date>`now() - interval '1 second'` as never })
      .execute();
    await drain(worker());
    expect(await row(n.dedupeKey)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('does not deliver a reminder that became moot: handoff completed or deal reassigned', async () => {
    const account = await upsertAccount(database.db, TEAM, { crmId: `G-${++key}`, name: `Guard Co ${key}` });
    const deal = await database.db
      .insertInto('deals')
      .values({
        team_id: TEAM,
        crm_id: `G-D-${key}`,
        account_id: account.id,
        name: 'Guarded',
        amount_cents: 1,
        currency: 'USD',
        closed_at: new Date(),
        owner_user_id: 'U0OLD',
        prefill: '{}',
        source: 'webhook',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const reminder = (suffix: string, owner: string) => ({
      teamId: TEAM,
      dedupeKey: `guard:${deal.id}:${suffix}`,
      target: { kind: 'user' as const, userId: owner },
      guard: { kind: 'handoff_incomplete' as const, dealId: deal.id, ownerUserId: owner },
      message: { text: `reminder ${suffix}` },
    });
    await enqueue(database.db, reminder('still-due', 'U0OLD'));
    await enqueue(database.db, reminder('reassigned', 'U0SOMEONE'));
    await drain(worker());
    expect(fake.callsTo('chat.postMessage').map((c) => c.args.text)).toEqual(['reminder still-due']);
    expect(await row(`guard:${deal.id}:reassigned`)).toMatchObject({
      status: 'cancelled',
      last_error: 'moot: the deal was reassigned',
    });

    await database.db
      .insertInto('handoffs')
      .values({
        deal_id: deal.id,
        team_id: TEAM,
        fields: '{}',
        complete: true,
        submitted_by: 'U0OLD',
        submitted_at: new Date(),
      })
      .execute();
    await enqueue(database.db, reminder('after-completion', 'U0OLD'));
    await drain(worker());
    expect(await row(`guard:${deal.id}:after-completion`)).toMatchObject({
      status: 'cancelled',
      last_error: 'moot: the handoff was completed',
    });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it.runIf(usingPostgres)(
    'delivers each row exactly once with several workers racing (PostgreSQL)',
    async () => {
      const rows = Array.from({ length: 60 }, (_, i) => post(`CRACE${i % 6}`, `race ${i}`));
      for (const n of rows) await enqueue(database.db, n);
      const workers = [worker({ batchSize: 3 }), worker({ batchSize: 3 }), worker({ batchSize: 3 })];
      await Promise.all(workers.map((w) => drain(w, 40)));
      const texts = fake.callsTo('chat.postMessage').map((c) => c.args.text);
      expect(texts).toHaveLength(60);
      expect(new Set(texts).size).toBe(60);
      const statuses = await database.db.selectFrom('notifications').select('status').distinct().execute();
      expect(statuses).toEqual([{ status: 'sent' }]);
    },
  );
});

/** Makes every pending row due now (back-off and deferrals are the wall clock's). */
async function dueNow(): Promise<void> {
  await database.db
    .updateTable('notifications')
    .set({ next_attempt_at: new Date() })
    .where('status', '=', 'pending')
    .execute();
}

async function drainAll(w: OutboxWorker, rounds = 12): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await drain(w);
    const left = await database.db
      .selectFrom('notifications')
      .select('id')
      .where('status', 'in', ['pending', 'sending'])
      .execute();
    if (left.length === 0) return;
    await dueNow();
  }
}

const lookups = () => fake.calls.filter((c) => c.method.startsWith('conversations.'));

describe("exactly once when Slack's answer is lost", () => {
  it('finds a post whose answer was lost instead of posting it again', async () => {
    fake.failNext('chat.postMessage', { drop: 'after' });
    const n = post('CLOST');
    await enqueue(database.db, n);
    const w = worker();
    await w.runOnce();
    expect(await row(n.dedupeKey)).toMatchObject({ status: 'pending', maybe_posted: true });
    await drainAll(w);
    const posts = fake.messages().filter((m) => m.channel === 'CLOST');
    expect(posts).toHaveLength(1);
    expect(await row(n.dedupeKey)).toMatchObject({
      status: 'sent',
      channel: 'CLOST',
      ts: posts[0]?.ts,
      maybe_posted: false,
    });
    const [history] = lookups();
    expect(history?.method).toBe('conversations.history');
    expect(history?.args).toMatchObject({ channel: 'CLOST', include_all_metadata: 'true', limit: '15' });
    expect(Number(history?.args.oldest)).toBeLessThan(Number(posts[0]?.ts));
  });

  it('looks for a lost DM in the IM channel, and a lost thread reply among the replies', async () => {
    const account = await upsertAccount(database.db, TEAM, { crmId: `L-${++key}`, name: `Lost Co ${key}` });
    await enqueue(
      database.db,
      threadPost(account.id, `lost:${account.id}:root`, 'CLOSTFIN', 'root', { rootOnly: true }),
    );
    const w = worker();
    await drainAll(w);
    fake.failNext('chat.postMessage', { drop: 'after' }, 2);
    await enqueue(database.db, { ...post('U0LOSTREP'), target: { kind: 'user', userId: 'U0LOSTREP' } });
    await enqueue(database.db, threadPost(account.id, `lost:${account.id}:reply`, 'CLOSTFIN', 'reply'));
    await drainAll(w);
    expect(fake.messages().filter((m) => m.channel === 'D0LOSTREP')).toHaveLength(1);
    expect(
      fake
        .messages()
        .filter((m) => m.channel === 'CLOSTFIN')
        .map((m) => m.text),
    ).toEqual(['root', 'reply']);
    expect(
      lookups()
        .map((c) => c.method)
        .sort(),
    ).toEqual(['conversations.history', 'conversations.open', 'conversations.replies']);
    expect(fake.callsTo('conversations.open')[0]?.args).toMatchObject({ users: 'U0LOSTREP' });
  });

  it('waits out a rate-limited look-up (Retry-After) instead of posting blindly', async () => {
    fake.failNext('chat.postMessage', { drop: 'after' });
    fake.failNext('conversations.history', { status: 429, retryAfter: 3 });
    const n = post('CRATE');
    await enqueue(database.db, n);
    const w = worker();
    await w.runOnce();
    await w.runOnce(); // not due yet: nothing happens
    await dueNow();
    await w.runOnce(); // the look-up is rate limited
    const waiting = await row(n.dedupeKey);
    expect(waiting).toMatchObject({ status: 'pending', maybe_posted: true, last_error: 'ratelimited' });
    expect(waiting.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 2_000);
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
    await drainAll(w);
    expect(fake.messages().filter((m) => m.channel === 'CRATE')).toHaveLength(1);
    expect(await row(n.dedupeKey)).toMatchObject({ status: 'sent' });
  });

  it('posts once when the connection was reset before Slack handled the post', async () => {
    fake.failNext('chat.postMessage', { drop: 'before' });
    const n = post('CRESET');
    await enqueue(database.db, n);
    await drainAll(worker());
    expect(fake.messages().filter((m) => m.channel === 'CRESET')).toHaveLength(1);
    expect(lookups().map((c) => c.method)).toEqual(['conversations.history']);
  });

  it('takes over a thread root whose worker died after posting it: the thread starts there, once', async () => {
    const account = await upsertAccount(database.db, TEAM, { crmId: `K-${++key}`, name: `Killed Co ${key}` });
    const rootKey = `killed:${account.id}:root`;
    await enqueue(database.db, threadPost(account.id, rootKey, 'CKILLED', 'root', { rootOnly: true }));
    await enqueue(database.db, threadPost(account.id, `killed:${account.id}:reply`, 'CKILLED', 'reply'));
    // The dead worker's post reached Slack; its claim on the row then ran out.
    await createSlackClient(testConfig(), 'delivery', logger).chat.postMessage({
      channel: 'CKILLED',
      text: 'root',
      metadata: { event_type: 'ar_bridge_notification', event_payload: { key: rootKey } },
    });
    await database.db
      .updateTable('notifications')
      .set({
        status: 'sending',
        attempts: 1,
        first_attempt_at: new Date(),
        claimed_until: sql<Date>`now() - interval '1 second'` as never,
      })
      .where('dedupe_key', '=', rootKey)
      .execute();
    await drainAll(worker());
    const inChannel = fake.messages().filter((m) => m.channel === 'CKILLED');
    expect(inChannel.map((m) => [m.text, m.thread_ts])).toEqual([
      ['root', undefined],
      ['reply', inChannel[0]?.ts],
    ]);
    expect(await row(rootKey)).toMatchObject({ status: 'sent', ts: inChannel[0]?.ts });
  });
});

describe('thread roots first', () => {
  it('holds a reply back while its root is failing, then threads it under the root', async () => {
    const account = await upsertAccount(database.db, TEAM, { crmId: `R-${++key}`, name: `Root Co ${key}` });
    fake.failNext('chat.postMessage', { status: 500 });
    await enqueue(
      database.db,
      threadPost(account.id, `first:${account.id}:root`, 'CROOT', 'root', { rootOnly: true }),
    );
    await enqueue(database.db, threadPost(account.id, `first:${account.id}:ping`, 'CROOT', 'ping'));
    const w = worker();
    await w.runOnce(); // the root fails (500) and backs off; the ping must not start the thread
    expect(await row(`first:${account.id}:ping`)).toMatchObject({ status: 'pending', attempts: 0 });
    await drainAll(w);
    const inChannel = fake.messages().filter((m) => m.channel === 'CROOT');
    expect(inChannel.map((m) => [m.text, m.thread_ts])).toEqual([
      ['root', undefined],
      ['ping', inChannel[0]?.ts],
    ]);
  });

  it("queues the account's root for a reply nothing else would start the thread for", async () => {
    const account = await upsertAccount(database.db, TEAM, {
      crmId: `N-${++key}`,
      name: `No Root Co ${key}`,
    });
    await enqueue(
      database.db,
      threadPost(account.id, `orphan:${account.id}:escalation`, 'C0FINANCE', 'escalation'),
    );
    await drainAll(worker());
    const thread = fake
      .messages()
      .filter((m) => m.channel === 'C0FINANCE' && String(m.text).includes(`No Root Co ${key}`));
    const [root] = thread;
    expect(root?.thread_ts).toBeUndefined();
    expect(await row(`account:${account.id}:root`)).toMatchObject({ status: 'sent', ts: root?.ts });
    expect(await row(`orphan:${account.id}:escalation`)).toMatchObject({ status: 'sent' });
    const reply = fake.messages().find((m) => m.text === 'escalation');
    expect(reply?.thread_ts).toBe(root?.ts);
  });
});

describe('outbox polling while the database is down', () => {
  it('waits twice as long after each failed poll, up to 30 seconds', () => {
    const waits = [1, 2, 3, 4, 10, 20].map((n) => pollBackoffMs(500, n));
    for (const [i, n] of [1, 2, 3, 4].entries()) {
      expect(waits[i]).toBeGreaterThanOrEqual(500 * 2 ** n);
      expect(waits[i]).toBeLessThanOrEqual(500 * 2 ** n * 1.25);
    }
    expect(waits[4]).toBeGreaterThanOrEqual(MAX_POLL_BACKOFF_MS);
    expect(waits[5]).toBeLessThanOrEqual(MAX_POLL_BACKOFF_MS * 1.25);
  });
});
