import type { IncomingMessage } from 'node:http';
import { Signature } from '@hubspot/api-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hubSpotSignature, hubSpotSignedUri } from '../../src/http/hubspot-signature.ts';
import { type FakeHubSpot, startFakeHubSpot } from '../support/fake-hubspot.ts';
import { type Harness, startHarness } from '../support/harness.ts';

const CLIENT_SECRET = 'hubspot-client-secret-0123456789';
const REP = 'U0HUBREP';
const REP_EMAIL = 'hub.rep@example.com';
let h: Harness;
let hub: FakeHubSpot;
let seq = 1000;

beforeAll(async () => {
  hub = await startFakeHubSpot();
  h = await startHarness({
    HUBSPOT_CLIENT_SECRET: CLIENT_SECRET,
    HUBSPOT_ACCESS_TOKEN: 'pat-na1-fake-token',
    HUBSPOT_API_URL: hub.url,
    HUBSPOT_CLOSED_WON_STAGES: 'closedwon,98765432',
  });
  h.fake.addUser({ id: REP, tz: 'UTC', email: REP_EMAIL });
  hub.addOwner('77', REP_EMAIL);
  hub.addCompany('9001', { name: 'Globex Corporation', domain: 'www.globex.example' });
});
afterAll(async () => {
  await h?.close();
  await hub?.close();
});
beforeEach(() => {
  h.fake.reset();
  hub.api.reset();
});

function dealEvent(dealId: string, o: Record<string, unknown> = {}) {
  seq += 1;
  return {
    eventId: seq,
    subscriptionId: 2201,
    portalId: 62515,
    appId: 54321,
    occurredAt: Date.now(),
    subscriptionType: 'deal.propertyChange',
    attemptNumber: 0,
    objectId: Number(dealId),
    propertyName: 'dealstage',
    propertyValue: 'closedwon',
    changeSource: 'CRM_UI',
    ...o,
  };
}

/** POSTs a batch signed as HubSpot signs v3 (the URI it called, milliseconds), or forged. */
async function send(events: unknown, o: { secret?: string; timestamp?: number; path?: string } = {}) {
  const body = JSON.stringify(events);
  const timestamp = String(o.timestamp ?? Date.now());
  const uri = `${h.baseUrl}${o.path ?? '/webhooks/hubspot'}`;
  const signature = hubSpotSignature(o.secret ?? CLIENT_SECRET, 'POST', uri, body, timestamp);
  const res = await fetch(uri, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hubspot-signature-v3': signature,
      'x-hubspot-request-timestamp': timestamp,
    },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function deal(crmId: string) {
  return h.database.db.selectFrom('deals').selectAll().where('crm_id', '=', crmId).executeTakeFirst();
}

const dmsAbout = (name: string) =>
  h.fake
    .callsTo('chat.postMessage')
    .filter((c) => JSON.stringify(c.args).includes(name) && c.args.channel !== 'C0FINANCE');

describe('HubSpot v3 signatures', () => {
  it('match @hubspot/api-client’s Signature.isValid, and sign the URI HubSpot called', () => {
    const body = '[{"eventId":1}]';
    const timestamp = Date.now();
    const url = 'https://ar.example.com/webhooks/hubspot?team=T0(1)';
    const signature = hubSpotSignature(CLIENT_SECRET, 'POST', url, body, String(timestamp));
    expect(
      Signature.isValid({
        signatureVersion: 'v3',
        clientSecret: CLIENT_SECRET,
        requestBody: body,
        signature,
        url,
        timestamp,
      }),
    ).toBe(true);
    const req = (url: string, host = 'internal:3000') =>
      ({ url, headers: { host }, socket: {} }) as unknown as IncomingMessage;
    expect(hubSpotSignedUri(req('/webhooks/hubspot?team=T0%281%29%3A'), 'https://ar.example.com')).toBe(
      'https://ar.example.com/webhooks/hubspot?team=T0(1):',
    );
    expect(hubSpotSignedUri(req('/webhooks/hubspot?q=a%20b'), undefined)).toBe(
      'http://internal:3000/webhooks/hubspot?q=a%20b',
    );
  });
});

describe('POST /webhooks/hubspot', () => {
  it('refuses a forgery, a stale and a future timestamp with 401, reading and storing nothing', async () => {
    hub.addDeal('4001', { dealname: 'Forged', dealstage: 'closedwon', hubspot_owner_id: '77' }, ['9001']);
    const events = [dealEvent('4001')];
    expect(await send(events, { secret: 'not-the-client-secret' })).toMatchObject({ status: 401 });
    expect(await send(events, { timestamp: Date.now() - 301_000 })).toMatchObject({
      status: 401,
      json: { problems: [expect.stringMatching(/5 minutes/)] },
    });
    expect(await send(events, { timestamp: Date.now() + 360_000 })).toMatchObject({ status: 401 });
    expect(hub.api.calls).toEqual([]);
    expect(await deal('4001')).toBeUndefined();
  });

  it('hands off a deal moved to closed-won, once, however often the batch is delivered', async () => {
    hub.addDeal(
      '4002',
      {
        dealname: 'Globex renewal',
        amount: '18000.50',
        deal_currency_code: 'EUR',
        closedate: '2026-11-28T16:00:00.000Z',
        dealstage: 'closedwon',
        hubspot_owner_id: '77',
        payment_terms: 'Net 45',
        po_number: 'PO-4411',
      },
      ['9001'],
    );
    hub.addDeal(
      '4003',
      { dealname: 'Still open', dealstage: 'appointmentscheduled', hubspot_owner_id: '77' },
      ['9001'],
    );
    const batch = [
      dealEvent('4002'),
      dealEvent('4003', { propertyValue: 'appointmentscheduled' }),
      { ...dealEvent('55'), subscriptionType: 'contact.creation', propertyName: undefined },
    ];
    // The first answer is a 429: the connector waits as asked and reads again.
    hub.api.failNext(429, 1, { 'retry-after': '0' });
    const first = await send(batch);
    expect(first).toMatchObject({ status: 200, json: { ok: true, created: 1, duplicates: 0, ignored: 2 } });
    expect(hub.api.calls.map((c) => [c.method, c.path, c.fault ?? 200])).toEqual([
      ['GET', '/crm/v3/objects/deals/4002', 429],
      ['GET', '/crm/v3/objects/deals/4002', 200],
      ['GET', '/crm/v3/objects/companies/9001', 200],
      ['GET', '/crm/v3/owners/77', 200],
    ]);
    expect(hub.api.calls[1]?.authorization).toBe('Bearer pat-na1-fake-token');
    expect(await deal('4002')).toMatchObject({
      name: 'Globex renewal',
      amount_cents: 1_800_050,
      currency: 'EUR',
      owner_email: REP_EMAIL,
    });
    const stored = await deal('4002');
    const prefill = stored?.prefill;
    expect(typeof prefill === 'string' ? JSON.parse(prefill) : prefill).toMatchObject({
      paymentTerms: 'net_45',
      poNumber: 'PO-4411',
    });
    await h.drain();
    expect(dmsAbout('Globex renewal')).toHaveLength(1);

    // HubSpot redelivers the same batch, then sends the change again under a new event id.
    expect(await send(batch)).toMatchObject({ status: 200, json: { created: 0, duplicates: 1 } });
    expect(await send([dealEvent('4002')])).toMatchObject({ status: 200, json: { created: 0 } });
    await h.drain();
    expect(dmsAbout('Globex renewal')).toHaveLength(1);
  });

  it('reads a new deal created closed-won in a custom pipeline (numeric stage id)', async () => {
    hub.addDeal(
      '4004',
      { dealname: 'Custom pipeline win', amount: '900', dealstage: '98765432', hubspot_owner_id: '77' },
      ['9001'],
    );
    const res = await send([
      dealEvent('4004', {
        subscriptionType: 'deal.creation',
        propertyName: undefined,
        propertyValue: undefined,
      }),
    ]);
    expect(res).toMatchObject({ status: 200, json: { created: 1 } });
    expect(await deal('4004')).toMatchObject({ amount_cents: 90_000, currency: 'USD' });
  });

  it('answers a deal it cannot hand off with 400 naming why, storing nothing, and takes the retry once fixed', async () => {
    hub.addDeal('4005', { dealname: 'No company', dealstage: 'closedwon', hubspot_owner_id: '77' });
    const event = dealEvent('4005');
    const bad = await send([event, { eventId: 'x' }]);
    expect(bad).toMatchObject({
      status: 400,
      json: { problems: expect.arrayContaining(['1.objectId: must be a HubSpot id (digits)']) },
    });
    const unmapped = await send([event]);
    expect(unmapped).toMatchObject({
      status: 400,
      json: { problems: [expect.stringMatching(/deal 4005: no associated company/)] },
    });
    expect(await deal('4005')).toBeUndefined();
    hub.addDeal('4005', { dealname: 'No company', dealstage: 'closedwon', hubspot_owner_id: '77' }, ['9001']);
    expect(await send([event])).toMatchObject({ status: 200, json: { created: 1 } });
  });
});
