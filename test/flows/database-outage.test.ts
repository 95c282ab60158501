/**
 * A database outage as the app lives it: `npm start` on PostgreSQL through a loopback proxy that
 * the test cuts and restores (the shared server itself stays up), then the same database emptied
 * of its schema. What the log said and what /readyz, the webhook and the API answered are printed.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.ts';
import { openTestDatabase, usingPostgres } from '../support/db.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { eventually } from '../support/harness.ts';
import { type AppProcess, startAppOnPort } from '../support/process.ts';
import { signWebhook } from '../support/slack-request.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const WEBHOOK_SECRET = 'outage-webhook-secret-0123';
const API_TOKEN = 'outage-api-token-0123456789';

interface LogLine {
  level: number;
  msg: string;
  err?: Record<string, unknown>;
  [key: string]: unknown;
}

function logLines(app: AppProcess): LogLine[] {
  return app
    .output()
    .split('\n')
    .flatMap((line) => {
      try {
        const parsed = JSON.parse(line) as LogLine;
        return typeof parsed.msg === 'string' ? [parsed] : [];
      } catch {
        return [];
      }
    });
}

describe.runIf(usingPostgres)('the database goes away and comes back', () => {
  let fake: FakeSlack;
  let database: DatabaseHandle & { url?: string };
  let proxy: TcpProxy;
  let app: AppProcess;
  let base: string;

  beforeAll(async () => {
    fake = await startFakeSlack();
    fake.addUser({ id: 'U0OUTAGE', tz: 'UTC' });
    database = await openTestDatabase();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const url = new URL(database.url as string);
    url.port = String(proxy.port);
    const started = await startAppOnPort({
      SLACK_BOT_TOKEN: 'xoxb-outage',
      SLACK_SIGNING_SECRET: 'outage-signing-secret',
      SLACK_API_URL: fake.url,
      FINANCE_CHANNEL_ID: 'C0FINANCE',
      WEBHOOK_SECRET,
      API_TOKEN,
      DATABASE_URL: url.toString(),
      LOG_LEVEL: 'info',
    });
    app = started.app;
    base = `http://127.0.0.1:${started.port}`;
  });
  afterAll(async () => {
    app?.kill('SIGTERM');
    await app?.exited;
    await proxy?.close();
    await database?.close();
    await fake?.close();
  });

  const readyz = async () => {
    const res = await fetch(`${base}/readyz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const dealClosed = (id: string) => {
    const body = JSON.stringify({
      deal_id: id,
      deal_name: `Outage deal ${id}`,
      amount_cents: 1000,
      currency: 'USD',
      closed_at: new Date().toISOString(),
      owner: { slack_user_id: 'U0OUTAGE' },
      account: { id: `A-${id}`, name: `Outage Customer ${id}` },
    });
    return fetch(`${base}/webhooks/deal-closed`, {
      method: 'POST',
      headers: signWebhook(WEBHOOK_SECRET, body),
      body,
    });
  };
  const invoices = () =>
    fetch(`${base}/api/invoices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        invoices: [
          {
            number: 'INV-OUT-1',
            account: { name: 'Outage Customer' },
            amount_cents: 100,
            balance_cents: 100,
            currency: 'USD',
            issued_on: '2026-01-01',
            due_on: '2026-01-31',
          },
        ],
      }),
    });

  it('refuses with 503 and Retry-After, logs the outage once at each end, and recovers', async () => {
    const shown: string[] = [];
    const show = (label: string, value: unknown) => shown.push(`${label}: ${JSON.stringify(value)}`);

    const before = await readyz();
    expect(before).toEqual({ status: 200, body: { ok: true, database: 'postgres' } });
    show('readyz before', before);

    await proxy.cut();
    const during = await readyz();
    show('readyz during the cut', during);
    expect(during).toEqual({
      status: 503,
      body: { ok: false, database: 'postgres', reason: 'the database does not answer' },
    });

    const webhook = await dealClosed('D-DURING');
    const api = await invoices();
    show('webhook during the cut', {
      status: webhook.status,
      retryAfter: webhook.headers.get('retry-after'),
    });
    show('invoices API during the cut', { status: api.status, retryAfter: api.headers.get('retry-after') });
    expect(webhook.status).toBe(503);
    expect(webhook.headers.get('retry-after')).toBe('30');
    expect(((await webhook.json()) as { error: string }).error).toMatch(/database is unavailable/);
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBe('30');

    // The outbox polls every 500 ms; with back-off, a few seconds of outage is a handful of polls and one line.
    await eventually(() => expect(logLines(app).some((l) => l.msg.startsWith('outbox paused'))).toBe(true));
    await new Promise((r) => setTimeout(r, 4_000));
    const outageLines = logLines(app).filter((l) => l.component === 'outbox');
    expect(outageLines.map((l) => l.msg)).toEqual([
      'outbox paused: the database is unavailable; polling again with back-off',
    ]);
    expect(outageLines[0]?.err).toMatchObject({ code: 'ECONNREFUSED' });

    await proxy.restore();
    await eventually(async () => expect((await readyz()).status).toBe(200), 40_000);
    const after = await readyz();
    show('readyz after the return', after);
    expect(after.body).toEqual({ ok: true, database: 'postgres' });
    await eventually(
      () => expect(logLines(app).some((l) => l.msg.startsWith('outbox resumed'))).toBe(true),
      40_000,
    );
    const accepted = await dealClosed('D-AFTER');
    expect(accepted.status).toBe(202);
    await fake.waitFor('chat.postMessage', (c) => c.args.channel === 'U0OUTAGE', { timeoutMs: 10_000 });

    const outbox = logLines(app).filter((l) => l.component === 'outbox');
    expect(outbox.map((l) => l.msg)).toEqual([
      'outbox paused: the database is unavailable; polling again with back-off',
      'outbox resumed: polling works again',
    ]);
    // No log line carries a database client (its secret key), or the raw error in a readiness answer.
    expect(app.output()).not.toMatch(/secretKey|processID|"client"/);
    for (const line of logLines(app).filter((l) => l.level >= 40)) {
      show(`log ${line.level === 40 ? 'warn' : 'error'}`, {
        msg: line.msg,
        component: line.component,
        route: line.route,
        err: line.err ? { message: line.err.message, code: line.err.code } : undefined,
        pausedSeconds: line.pausedSeconds,
      });
    }
    for (const line of outbox.filter((l) => l.level < 40))
      show('log info', { msg: line.msg, pausedSeconds: line.pausedSeconds });
    process.stdout.write(`\n--- database outage\n${shown.join('\n')}\n`);
  }, 90_000);

  it('is not ready, and refuses webhooks with 503, when the database lost its schema', async () => {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query('drop schema public cascade');
      await admin.query('create schema public');
    } finally {
      await admin.end();
    }
    const ready = await readyz();
    const webhook = await dealClosed('D-NO-SCHEMA');
    process.stdout.write(
      `\n--- database without its schema\nreadyz: ${JSON.stringify(ready)}\nwebhook: ${webhook.status} retry-after ${webhook.headers.get('retry-after')}\n`,
    );
    expect(ready.status).toBe(503);
    expect(ready.body.reason).toMatch(/^the database schema is behind: \d+ migrations not applied/);
    expect(webhook.status).toBe(503);
    expect(webhook.headers.get('retry-after')).toBe('30');
  }, 30_000);
});
