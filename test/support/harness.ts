import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/clock.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import type { DatabaseHandle } from '../../src/db/connect.ts';
import { runSweeps } from '../../src/jobs/sweeps.ts';
import { createLogger } from '../../src/log.ts';
import type { WorkerOptions } from '../../src/outbox/worker.ts';
import { type Running, startServer } from '../../src/server.ts';
import { fetchIdentity } from '../../src/slack/identity.ts';
import { openTestDatabase } from './db.ts';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';
import { type SlackTarget, signWebhook } from './slack-request.ts';

export const SIGNING_SECRET = 'test-signing-secret';
export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';
export const API_TOKEN = 'test-api-token-0123456789abcdef';
export const FINANCE_CHANNEL = 'C0FINANCE';
export const AR_USER = 'U0AR0001';

export interface Harness {
  fake: FakeSlack;
  database: DatabaseHandle;
  running: Running;
  config: Config;
  baseUrl: string;
  slack: SlackTarget;
  /** Runs every sweep once at `now`, as the scheduler would. */
  sweep(now: Date): Promise<Record<string, unknown>>;
  /**
   * Waits until the outbox has delivered everything queued so far (no notification pending or being
   * sent, App Home refreshes held back by their debounce included): what Slack received is then final.
   */
  drain(timeoutMs?: number): Promise<void>;
  /** POSTs a JSON body to one of the app's own endpoints, signed like a CRM would. */
  postSigned(
    path: string,
    body: unknown,
    options?: { timestamp?: number; secret?: string },
  ): Promise<HttpResult>;
  close(): Promise<void>;
}

export interface HttpResult {
  status: number;
  json: unknown;
}

export interface HarnessOptions {
  /** Business time (default: the system clock). */
  clock?: Clock;
  /** Run the sweeps on SWEEP_CRON; by default tests run them themselves, with a fixed `now`. */
  schedule?: boolean;
}

/**
 * The whole app as `npm start` runs it (same start-up code), on a database of the test file's own,
 * talking to a fake Slack on loopback. `env` overrides the environment.
 */
export async function startHarness(
  env: Record<string, string> = {},
  outbox: WorkerOptions = { pollMs: 25, channelGapMs: 0 },
  options: HarnessOptions = {},
): Promise<Harness> {
  const fake = await startFakeSlack();
  const database = await openTestDatabase();
  // Multi-workspace mode (SLACK_CLIENT_ID given) has no SLACK_BOT_TOKEN: workspaces install.
  const multi = env.SLACK_CLIENT_ID !== undefined;
  const config = loadConfig({
    ...(multi ? {} : { SLACK_BOT_TOKEN: 'xoxb-test-token' }),
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    FINANCE_CHANNEL_ID: FINANCE_CHANNEL,
    AR_USER_IDS: AR_USER,
    WEBHOOK_SECRET,
    API_TOKEN,
    PORT: '0',
    // The weekly digest only where a test asks for it.
    DIGEST_CRON: 'off',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const logger = createLogger(config.LOG_LEVEL, false);
  const identity = multi ? null : await fetchIdentity(config, logger);
  const running = await startServer({
    config,
    database,
    logger,
    identity,
    outbox,
    schedule: options.schedule ?? false,
    clock: options.clock,
  });
  if (!running.server) throw new Error('the harness runs the HTTP receiver');
  const port = (running.server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  if (multi)
    fake.oauthApp({
      clientId: config.SLACK_CLIENT_ID as string,
      clientSecret: config.SLACK_CLIENT_SECRET as string,
      redirectUrl: `${baseUrl}/slack/oauth_redirect`,
    });
  return {
    fake,
    database,
    running,
    config,
    baseUrl,
    slack: { baseUrl, signingSecret: SIGNING_SECRET },
    sweep: (now) => runSweeps(running.deps, now, running.deps.metrics),
    drain: (timeoutMs) => drainOutbox(database, running, timeoutMs),
    async postSigned(path, body, options = {}) {
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      const res = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: signWebhook(options.secret ?? WEBHOOK_SECRET, raw, options.timestamp),
        body: raw,
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await running.stop();
      await database.close();
      await fake.close();
    },
  };
}

/** Waits until `check` stops throwing (for state the app reaches asynchronously). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

async function drainOutbox(database: DatabaseHandle, running: Running, timeoutMs = 10_000): Promise<void> {
  await eventually(async () => {
    running.outbox.kick();
    const left = await database.db
      .selectFrom('notifications')
      .select(['dedupe_key', 'status', 'next_attempt_at'])
      .where('status', 'in', ['pending', 'sending'])
      .execute();
    if (left.length > 0) throw new Error(`the outbox still holds ${JSON.stringify(left)}`);
  }, timeoutMs);
}
