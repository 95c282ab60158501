import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../src/http/signature.ts';
import { type Harness, startHarness, WEBHOOK_SECRET } from '../support/harness.ts';

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

  it('refuses a correctly signed request dated more than five minutes ahead', async () => {
    const future = await h.postSigned('/webhooks/deal-closed', valid, {
      // A minute past the limit: the server reads its clock after this line, and at +301 a second boundary
      // crossed in between left the request exactly 300 s ahead, which is allowed.
      timestamp: Math.floor(Date.now() / 1000) + 360,
    });
    expect(future).toMatchObject({ status: 401, json: { problems: [expect.stringMatching(/5 minutes/)] } });
  });

  it('checks the signature over the raw bytes, and refuses bytes that are not UTF-8 with 400', async () => {
    const before = await counts();
    const send = (raw: Buffer) => {
      const ts = Math.floor(Date.now() / 1000);
      return fetch(`${h.baseUrl}/webhooks/deal-closed`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-arbridge-timestamp': String(ts),
          'x-arbridge-signature': signBody(WEBHOOK_SECRET, ts, raw),
        },
        body: raw,
      });
    };
    // 0xff is no UTF-8: decoded first, it would become U+FFFD and the signature would not match (401).
    const notUtf8 = Buffer.concat([
      Buffer.from('{"deal_id":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const res = await send(notUtf8);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'malformed body', problems: ['the body is not valid UTF-8'] });
    const accented = await send(
      Buffer.from(
        JSON.stringify({
          ...valid,
          deal_id: 'HS-ÉTÉ',
          deal_name: 'Été 🌞',
          owner: { slack_user_id: 'U0REP0043' },
        }),
      ),
    );
    expect(accented.status).toBe(202);
    expect((await counts()).deals).toBe(before.deals + 1);
  });

  it('refuses NUL characters, unpaired surrogates and bodies that are not objects with 400, storing nothing', async () => {
    const before = await counts();
    const nul = await h.postSigned('/webhooks/deal-closed', {
      ...valid,
      deal_id: 'NUL-1',
      deal_name: 'a\u0000b',
    });
    expect(nul).toEqual({
      status: 400,
      json: {
        error: 'invalid text: nothing was stored',
        problems: ['deal_name: the text contains a NUL character'],
      },
    });
    const surrogate = await h.postSigned(
      '/webhooks/deal-closed',
      `{"deal_id":"S-1","deal_name":"x","account":{"id":"A","name":"\\ud800 Corp"}}`,
    );
    expect(surrogate).toMatchObject({
      status: 400,
      json: { problems: ['account.name: the text contains an unpaired surrogate'] },
    });
    for (const body of ['null', '[]', '42', '"deal"', 'true']) {
      const res = await h.postSigned('/webhooks/deal-closed', body);
      expect(res.status, body).toBe(400);
      expect((res.json as { problems: string[] }).problems.length, body).toBeGreaterThan(0);
    }
    expect(await counts()).toEqual(before);
  });

  it('answers 413 to a body over 1 MB and closes that connection', async () => {
    const big = JSON.stringify({ ...valid, deal_name: 'x'.repeat(1_100_000) });
    const ts = Math.floor(Date.now() / 1000);
    const answer = await new Promise<{ status: number; connection: string | undefined; closed: boolean }>(
      (resolve, reject) => {
        const req = request(`${h.baseUrl}/webhooks/deal-closed`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-arbridge-timestamp': String(ts),
            'x-arbridge-signature': signBody(WEBHOOK_SECRET, ts, big),
          },
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => {
            const socket = req.socket;
            const closed = () =>
              resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, closed: true });
            if (socket?.destroyed) closed();
            else socket?.once('close', closed);
          });
        });
        req.on('error', reject);
        req.end(big);
      },
    );
    expect(answer).toEqual({ status: 413, connection: 'close', closed: true });
    expect((await h.postSigned('/webhooks/deal-closed', '{')).status).toBe(400);
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

describe('POST /api/invoices', () => {
  const post = (body: string) =>
    fetch(`${h.baseUrl}/api/invoices`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer test-api-token-0123456789abcdef',
        'content-type': 'application/json',
      },
      body,
    });

  it('refuses an unpaired surrogate or a NUL in any field, and bodies that are not objects, with 400', async () => {
    const invoice = (name: string) =>
      `{"invoices":[{"number":"INV-T-1","account":{"name":"${name}"},"amount_cents":1,"balance_cents":1,"currency":"USD","issued_on":"2026-01-01","due_on":"2026-01-02"}]}`;
    const surrogate = await post(invoice('\\udc00 Industries'));
    expect(surrogate.status).toBe(400);
    expect(await surrogate.json()).toEqual({
      error: 'invalid text: nothing was stored',
      problems: ['invoices[0].account.name: the text contains an unpaired surrogate'],
    });
    expect((await post(invoice('Nul\\u0000 Ltd'))).status).toBe(400);
    for (const body of ['null', '[]', '{"invoices":null}', '{"invoices":"many"}'])
      expect((await post(body)).status, body).toBe(400);
    const stored = await h.database.db.selectFrom('invoices').select('number').execute();
    expect(stored.map((r) => r.number)).not.toContain('INV-T-1');
  });

  it('keeps an invoice link, refuses one that is not http(s), and keeps the link when a later row has none', async () => {
    const invoice = (extra: string) =>
      `{"invoices":[{"number":"INV-URL-1","account":{"name":"Link Co"},"amount_cents":500,"balance_cents":500,"currency":"USD","issued_on":"2026-01-01","due_on":"2026-01-31"${extra}}]}`;
    const bad = await post(invoice(',"url":"javascript:alert(1)"'));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { problems: string[] }).problems).toEqual([
      'invoices[0].url: must be an http or https link of at most 2000 characters',
    ]);
    const link = 'https://billing.example.com/i/INV-URL-1?key=abc';
    expect((await post(invoice(`,"url":"${link}"`))).status).toBe(200);
    expect((await post(invoice(',"balance_cents":400'.replace(',"balance_cents":400', '')))).status).toBe(
      200,
    );
    const stored = await h.database.db
      .selectFrom('invoices')
      .select('url')
      .where('number', '=', 'INV-URL-1')
      .executeTakeFirstOrThrow();
    expect(stored.url).toBe(link);
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

describe('connector routes while their settings are unset', () => {
  it('answer 404 naming the settings that turn each on', async () => {
    for (const [path, vars] of [
      ['/webhooks/stripe', /STRIPE_WEBHOOK_SECRET/],
      ['/webhooks/hubspot', /HUBSPOT_CLIENT_SECRET and HUBSPOT_ACCESS_TOKEN/],
      ['/webhooks/salesforce?token=x', /SALESFORCE_ORG_IDS and SALESFORCE_WEBHOOK_TOKEN/],
    ] as const) {
      const res = await fetch(`${h.baseUrl}${path}`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({
        error: expect.stringMatching(/connector is off/),
        problems: [expect.stringMatching(vars)],
      });
    }
  });
});
