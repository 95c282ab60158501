import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.ts';
import { openTestDatabase, usingPostgres } from '../support/db.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { type AppProcess, startAppOnPort } from '../support/process.ts';
import { signWebhook } from '../support/slack-request.ts';

const REPS = ['U0REPA', 'U0REPB', 'U0REPC', 'U0REPD', 'U0REPE'];
const NAG_MAX = 3;

describe.runIf(usingPostgres)('two app processes on one PostgreSQL database', () => {
  let fake: FakeSlack;
  let database: DatabaseHandle & { url?: string };
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    fake = await startFakeSlack();
    for (const id of REPS) fake.addUser({ id, tz: 'UTC' });
    database = await openTestDatabase();
  });
  afterAll(async () => {
    for (const app of apps) app.kill('SIGTERM');
    await Promise.all(apps.map((a) => a.exited));
    await database?.close();
    await fake?.close();
  });

  it('sweeping every second, deliver every reminder and escalation exactly once', async () => {
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-replicas',
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: fake.url,
      FINANCE_CHANNEL_ID: 'C0FINANCE',
      WEBHOOK_SECRET: 'replica-webhook-secret',
      DATABASE_URL: database.url as string,
      SWEEP_CRON: '* * * * * *',
      NAG_FIRST_AFTER_HOURS: '0',
      NAG_EVERY_HOURS: '0.0005',
      NAG_MAX: String(NAG_MAX),
      WORK_HOURS: '00:00-24:00',
      WORK_DAYS: 'Sun-Sat',
      LOG_LEVEL: 'info',
    };
    const [one, two] = await Promise.all([startAppOnPort(env), startAppOnPort(env)]);
    apps.push(one.app, two.app);

    for (const [i, rep] of REPS.entries()) {
      const body = JSON.stringify({
        deal_id: `REP-${i}`,
        deal_name: `Replica deal ${i}`,
        amount_cents: 1000,
        currency: 'USD',
        closed_at: new Date().toISOString(),
        owner: { slack_user_id: rep },
        account: { id: `REP-A-${i}`, name: `Replica Customer ${i}` },
      });
      const port = i % 2 === 0 ? one.port : two.port;
      const res = await fetch(`http://127.0.0.1:${port}/webhooks/deal-closed`, {
        method: 'POST',
        headers: signWebhook('replica-webhook-secret', body),
        body,
      });
      expect(res.status).toBe(202);
    }

    const escalations = () =>
      fake
        .callsTo('chat.postMessage')
        .filter((c) => c.args.channel === 'C0FINANCE' && String(c.args.text).startsWith('🚩'));
    await fake.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === 'C0FINANCE' && String(c.args.text).startsWith('🚩'),
      {
        count: REPS.length,
        timeoutMs: 40_000,
      },
    );
    // Both processes keep sweeping; nothing more may arrive.
    await new Promise((r) => setTimeout(r, 4_000));

    for (const rep of REPS) {
      const dms = fake.callsTo('chat.postMessage').filter((c) => c.args.channel === rep);
      expect(dms.filter((c) => String(c.args.text).startsWith('🎉'))).toHaveLength(1);
      expect(dms.filter((c) => String(c.args.text).startsWith('⏰'))).toHaveLength(NAG_MAX);
    }
    expect(escalations()).toHaveLength(REPS.length);
    // Each account's thread starts with its root, once, and the escalation replies in it.
    const roots = fake
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === 'C0FINANCE' && !c.args.thread_ts);
    expect(roots).toHaveLength(REPS.length);
    expect(escalations().every((c) => roots.some((r) => r.response?.ts === c.args.thread_ts))).toBe(true);
    const outbox = await database.db.selectFrom('notifications').select(['status']).execute();
    expect(outbox.every((r) => r.status === 'sent')).toBe(true);
    // Per rep: the DM, its reminders, the escalation and the account thread's root.
    expect(outbox).toHaveLength(REPS.length * (3 + NAG_MAX));
  }, 90_000);
});
