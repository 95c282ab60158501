import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import type { DatabaseHandle } from '../src/db/connect.ts';
import { createLogger } from '../src/log.ts';
import { type Running, startServer } from '../src/server.ts';
import { fetchIdentity } from '../src/slack/identity.ts';
import { openTestDatabase } from './support/db.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { type FakeSocketMode, startFakeSocketMode } from './support/fake-socket-mode.ts';
import { signWebhook } from './support/slack-request.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('Socket Mode (SLACK_APP_TOKEN set)', () => {
  let fake: FakeSlack;
  let socket: FakeSocketMode;
  let database: DatabaseHandle;
  let running: Running;
  let port: number;

  beforeAll(async () => {
    fake = await startFakeSlack();
    socket = await startFakeSocketMode(fake);
    database = await openTestDatabase();
    port = await freePort();
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-socket',
      SLACK_APP_TOKEN: 'xapp-1-socket-test',
      SLACK_API_URL: fake.url,
      FINANCE_CHANNEL_ID: 'C0FINANCE',
      WEBHOOK_SECRET: 'socket-webhook-secret',
      PORT: String(port),
      LOG_LEVEL: 'silent',
    });
    const logger = createLogger('silent', false);
    running = await startServer({
      config,
      database,
      logger,
      identity: await fetchIdentity(config, logger),
      schedule: false,
      outbox: { pollMs: 25, channelGapMs: 0 },
    });
    await socket.connected();
  });
  afterAll(async () => {
    await running?.stop();
    await socket?.close();
    await database?.close();
    await fake?.close();
  });

  it('needs no signing secret and connects through apps.connections.open at SLACK_API_URL', () => {
    expect(fake.callsTo('apps.connections.open')).toHaveLength(1);
    expect(fake.callsTo('apps.connections.open')[0]?.token).toBe('xapp-1-socket-test');
  });

  it('still serves the health checks and webhooks on PORT', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const body = JSON.stringify({
      deal_id: 'SOCK-1',
      deal_name: 'Socket deal',
      amount_cents: 100,
      currency: 'USD',
      closed_at: new Date().toISOString(),
      owner: { slack_user_id: 'U0SOCKREP' },
      account: { id: 'SOCK-A', name: 'Socket Customer' },
    });
    const res = await fetch(`http://127.0.0.1:${port}/webhooks/deal-closed`, {
      method: 'POST',
      headers: signWebhook('socket-webhook-secret', body),
      body,
    });
    expect(res.status).toBe(202);
    await fake.waitFor('chat.postMessage', (c) => c.args.channel === 'U0SOCKREP');
  });

  it('answers a slash command that arrives over the socket', async () => {
    const ack = await socket.send({
      envelope_id: 'env-1',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: {
        token: 'x',
        team_id: 'T0TEAM',
        team_domain: 'fake',
        channel_id: 'C0ANY',
        channel_name: 'general',
        user_id: 'U0SOCKREP',
        user_name: 'rep',
        command: '/ar-status',
        text: 'Socket Customer',
        api_app_id: 'A0APP',
        response_url: fake.responseUrl(),
        trigger_id: 'tr-socket',
      },
    });
    expect(ack.envelope_id).toBe('env-1');
    expect(JSON.stringify(ack.payload)).toContain('Socket Customer');
  });
});
