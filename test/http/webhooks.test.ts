import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const valid = {
  deal_id: 'HS-1001',
  deal_name: 'Renewal',
  amount_cents: 120_000,
  currency: 'EUR',
  closed_at: '2026-11-20T15:04:05Z',
  owner: { slack_user_id: 'U0REP0042' },
  account: { id: 'HS-A-77', name: 'Globex GmbH' },
};

async function counts() {
  const deals = await h.database.db
    .selectFrom('deals')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const outbox = await h.database.db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { deals: Number(deals.n), notifications: Number(outbox.n) };
}

describe('POST /webhooks/deal-closed', () => {
  it('refuses a wrong signature, a stale one and a missing one with 401, storing nothing', async () => {
    const before = await counts();
    const wrong = await h.postSigned('/webhooks/deal-closed', valid, { secret: 'not-the-secret-at-all' });
    expect(wrong).toMatchObject({
      status: 401,
      json: { error: 'invalid signature', problems: [expect.stringMatching(/does not match/)] },
    });
    const stale = await h.postSigned('/webhooks/deal-closed', valid, {
      timestamp: Math.floor(Date.now() / 1000) - 301,
    });
    expect(stale).toMatchObject({ status: 401, json: { problems: [expect.stringMatching(/5 minutes/)] } });
    const unsigned = await fetch(`${h.baseUrl}/webhooks/deal-closed`, {
      method: 'POST',
      body: JSON.stringify(valid),
    });
    expect(unsigned.status).toBe(401);
    // A body altered after signing.
    const raw = JSON.stringify(valid);
    const ts = Math.floor(Date.now() / 1000);
    const { signWebhook } = await import('../support/slack-request.ts');
    const headers = signWebhook('test-webhook-secret-0123456789', raw, ts);
    const tampered = await fetch(`${h.baseUrl}/webhooks/deal-closed`, {
      method: 'POST',
      headers,
      body: raw.replace('120000', '1'),
    });
    expect(tampered.status).toBe(401);
    await h.drain();
    expect(await counts()).toEqual(before);
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('answers 400 naming every problem, storing nothing', async () => {
    const before = await counts();
    const res = await h.postSigned('/webhooks/deal-closed', {
      deal_id: '',
      amount_cents: 12.5,
      currency: 'EURO',
      closed_at: 'yesterday',
      owner: {},
      account: { id: 'A1' },
      prefill: { ap_contact_email: 'nope', favourite_colour: 'blue' },
    });
    expect(res.status).toBe(400);
    const problems = (res.json as { problems: string[] }).problems.join('\n');
    for (const field of [
      'deal_id',
      'deal_name',
      'amount_cents',
      'currency',
      'closed_at',
      'owner',
      'account.name',
      'prefill.ap_contact_email',
      'prefill.favourite_colour',
    ]) {
      expect(problems).toContain(field);
    }
    expect(await counts()).toEqual(before);
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await h.postSigned('/webhooks/deal-closed', '{"deal_id": ');
    expect(res).toMatchObject({ status: 400, json: { error: 'malformed JSON' } });
  });

  it('accepts a valid deal once (202), then reports the replay (200)', async () => {
    const first = await h.postSigned('/webhooks/deal-closed', valid);
    expect(first).toEqual({ status: 202, json: { deal_id: 'HS-1001', status: 'accepted' } });
    const again = await h.postSigned('/webhooks/deal-closed', { ...valid, deal_name: 'Changed name' });
    expect(again).toEqual({ status: 200, json: { deal_id: 'HS-1001', status: 'duplicate' } });
    const deal = await h.database.db
      .selectFrom('deals')
      .selectAll()
      .where('crm_id', '=', 'HS-1001')
      .executeTakeFirstOrThrow();
    expect(deal).toMatchObject({
      name: 'Renewal',
      amount_cents: 120_000,
      currency: 'EUR',
      owner_user_id: 'U0REP0042',
    });
    await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === 'U0REP0042');
    await h.drain();
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'U0REP0042')).toHaveLength(1);
  });
});

describe('health', () => {
  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${h.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${h.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, database: h.database.kind });
  });
});
