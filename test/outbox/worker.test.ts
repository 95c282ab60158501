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

function worker(options: WorkerOptions = {}, db = database.db): OutboxWorker {
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: 'test',
    SLACK_API_URL: fake.url,
    FINANCE_CHANNEL_ID: 'C0FINANCE',
  });
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
      await enqueue(database.db, {
        teamId: TEAM,
        dedupeKey: `thread:${account.id}:${text}`,
        target: { kind: 'account_thread', accountId: account.id, channel: 'CFIN' },
        message: { text },
      });
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
