/**
 * Fuzzing every route of `npm start` in its own process: thousands of requests, each a valid
 * request mutated by a seeded mutator (test/support/mutate.ts) and then signed correctly (Slack's
 * v0 signature, the webhook's, the API's bearer token, Stripe's, HubSpot's v3, Salesforce's URL
 * token), with some timestamps out of range and a few
 * bodies over the limit. No answer may be a 5xx and the process must never exit; both counts are
 * printed. FUZZ_SEED replays a run, FUZZ_REQUESTS changes its size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubSpotSignature } from '../../src/http/hubspot-signature.ts';
import { signBody } from '../../src/http/signature.ts';
import {
  AR_KIND_ACTION_ID,
  AR_TARGET_ACTION_ID,
  AR_UPDATE_CALLBACK_ID,
} from '../../src/views/ar-update-modal.ts';
import { ASSIGN_REP_CALLBACK_ID } from '../../src/views/assign-rep.ts';
import { INTAKE_CALLBACK_ID, INTAKE_DISPATCH_ACTION_PREFIX } from '../../src/views/intake-modal.ts';
import { NEW_DEAL_CALLBACK_ID } from '../../src/views/new-deal.ts';
import { REASSIGN_CALLBACK_ID } from '../../src/views/reassign.ts';
import { openTestDatabase, usingPostgres } from '../support/db.ts';
import { type FakeApi, startFakeApi } from '../support/fake-api.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { mutateBytes, mutateJson, oddValue } from '../support/mutate.ts';
import { type AppProcess, startAppOnPort } from '../support/process.ts';
import { pick, type Random, seededRandom } from '../support/random.ts';
import { slackSignature } from '../support/slack-request.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3_000);
const CONCURRENCY = 8;
const SIGNING_SECRET = 'fuzz-signing-secret';
const WEBHOOK_SECRET = 'fuzz-webhook-secret-0123456789';
const API_TOKEN = 'fuzz-api-token-0123456789abcdef';
const STRIPE_SECRET = 'whsec_fuzz0123456789';
const HUBSPOT_SECRET = 'fuzz-hubspot-client-secret';
const SALESFORCE_TOKEN = 'fuzz-salesforce-token-0123456789';
const SALESFORCE_ORG = '00D5g000004FuzzEAK';
const TEAM = 'T0TEAM';
/** The app's address, which HubSpot's signature covers. */
let signedBase = '';
const REP = 'U0FUZZREP';
const AR = 'U0FUZZAR';

interface Attempt {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const now = () => Math.floor(Date.now() / 1000);
const user = (id: string) => ({ id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: TEAM });
const interaction = (id: string) => ({
  user: user(id),
  team: { id: TEAM, domain: 'fake' },
  enterprise: null,
  is_enterprise_install: false,
  api_app_id: 'A0APP',
  token: 'fake-verification-token',
  trigger_id: '1.2.faketrigger',
});
const button = (actionId: string, value: string) => ({
  type: 'block_actions',
  ...interaction(pick(seededRandom(value.length), [REP, AR])),
  container: { type: 'message', message_ts: '1764000000.000100', channel_id: 'D0FUZZ' },
  channel: { id: 'D0FUZZ', name: 'directmessage' },
  response_url: 'http://127.0.0.1:9/response/fuzz',
  state: { values: {} },
  actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1764000000.1' }],
});
const submission = (callbackId: string, metadata: unknown, values: unknown) => ({
  type: 'view_submission',
  ...interaction(AR),
  view: {
    id: 'V0FUZZ',
    team_id: TEAM,
    type: 'modal',
    callback_id: callbackId,
    private_metadata: JSON.stringify(metadata),
    blocks: [{ type: 'input', block_id: 'first' }],
    state: { values },
    hash: '1.fuzz',
  },
  response_urls: [],
});

/** One valid request of every kind each route takes. */
const SLACK_PAYLOADS: unknown[] = [
  ...[
    'handoff_open',
    'deal_claim',
    'handoff_snooze',
    'handoff_not_mine',
    'collections_contacted',
    'collections_ask_ar',
    'collections_assign_rep',
  ].map((id) => button(id, '1')),
  button('ar_status_pick', '1'),
  button('ar_status_share', '2'),
  { ...button(AR_KIND_ACTION_ID, 'x'), view: submission(AR_UPDATE_CALLBACK_ID, {}, {}).view },
  {
    ...button(`${INTAKE_DISPATCH_ACTION_PREFIX}terms`, 'net_30'),
    view: submission(INTAKE_CALLBACK_ID, { dealId: 1 }, {}).view,
  },
  submission(
    INTAKE_CALLBACK_ID,
    { dealId: 1 },
    { legal_entity: { value: { type: 'plain_text_input', value: 'Acme' } } },
  ),
  submission(NEW_DEAL_CALLBACK_ID, {}, {}),
  submission(REASSIGN_CALLBACK_ID, { dealId: 1 }, { new_owner: { value: { selected_user: AR } } }),
  submission(AR_UPDATE_CALLBACK_ID, {}, {}),
  submission(ASSIGN_REP_CALLBACK_ID, { accountId: 1 }, { owner: { value: { selected_user: REP } } }),
  {
    type: 'block_suggestion',
    ...interaction(AR),
    action_id: AR_TARGET_ACTION_ID,
    block_id: 'target',
    value: 'fuzz',
    container: { type: 'view', view_id: 'V0FUZZ' },
  },
];
const SLACK_EVENTS: unknown[] = [
  {
    token: 'fake-verification-token',
    team_id: TEAM,
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: 'Ev0FUZZ',
    event_time: 1764000000,
    authorizations: [{ enterprise_id: null, team_id: TEAM, user_id: 'U0BOT', is_bot: true }],
    event: {
      type: 'message',
      user: AR,
      text: 'called them today',
      ts: '1764000001.000200',
      thread_ts: '1764000000.000100',
      channel: 'C0FINANCE',
      event_ts: '1764000001.000200',
    },
  },
  {
    team_id: TEAM,
    type: 'event_callback',
    event_id: 'Ev0FUZZHOME',
    event: { type: 'app_home_opened', user: REP, tab: 'home', event_ts: '1764000001.000300' },
  },
  { token: 'x', challenge: 'fuzz-challenge', type: 'url_verification' },
];
const COMMANDS: Array<Record<string, unknown>> = ['/handoff', '/ar-status', '/ar-update'].map((command) => ({
  token: 'fake-verification-token',
  team_id: TEAM,
  team_domain: 'fake',
  channel_id: 'C0GENERAL',
  user_id: command === '/ar-update' ? AR : REP,
  user_name: 'fuzz',
  command,
  text: command === '/ar-status' ? 'fuzz share' : 'fuzz',
  api_app_id: 'A0APP',
  response_url: 'http://127.0.0.1:9/response/fuzz',
  trigger_id: '1.2.faketrigger',
}));
const DEAL = {
  deal_id: 'FZ-1',
  deal_name: 'Fuzz deal',
  amount_cents: 100_000,
  currency: 'USD',
  closed_at: '2026-11-20T15:04:05Z',
  owner: { slack_user_id: REP },
  account: { id: 'FZ-A-1', name: 'Fuzz Customer', domain: 'fuzz.example' },
  prefill: { payment_terms: 'net_30', ap_contact_email: 'ap@fuzz.example', po_required: true },
};
const INVOICES = {
  invoices: [
    {
      number: 'FZ-INV-1',
      account: { id: 'FZ-A-1', name: 'Fuzz Customer' },
      amount_cents: 50_000,
      balance_cents: 40_000,
      currency: 'USD',
      issued_on: '2026-01-01',
      due_on: '2026-01-31',
      status: 'open',
      deal_id: 'FZ-1',
    },
  ],
};

/** A form body from fields that may have been mutated into any JSON value. */
function formOf(fields: unknown, random: Random): string {
  const entries = Object.entries(typeof fields === 'object' && fields !== null ? fields : { fields });
  const params = new URLSearchParams();
  for (const [key, value] of entries) {
    const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
    params.append(key, text.isWellFormed() ? text : text.toWellFormed());
    if (random() < 0.03) params.append(key, 'again');
  }
  return params.toString();
}

function mutated<T>(seed: T, random: Random): unknown {
  let value: unknown = seed;
  const rounds = random() < 0.15 ? 0 : 1 + Math.floor(random() * 3);
  for (let i = 0; i < rounds; i++) value = mutateJson(value, random);
  return value;
}

/** How the body gets signed: correctly, mostly; some with a timestamp out of range either way. */
function timestampFor(random: Random): number {
  const roll = random();
  if (roll < 0.03) return now() + 6 * 60;
  if (roll < 0.06) return now() - 6 * 60;
  return now();
}

function slackAttempt(random: Random): Attempt {
  const roll = random();
  let body: Buffer;
  let type = 'application/x-www-form-urlencoded';
  if (roll < 0.2) body = Buffer.from(formOf(mutated(pick(random, COMMANDS), random), random));
  else if (roll < 0.75) {
    const payload = JSON.stringify(mutated(pick(random, SLACK_PAYLOADS), random)) ?? 'null';
    body = Buffer.from(new URLSearchParams({ payload: payload.toWellFormed() }).toString());
  } else if (roll < 0.97) {
    type = 'application/json';
    body = Buffer.from(JSON.stringify(mutated(pick(random, SLACK_EVENTS), random)) ?? '');
  } else {
    body = Buffer.from(pick(random, ['ssl_check=1&token=x', 'ssl_check=1&payload=%7B%7D', '', 'payload=']));
  }
  if (random() < 0.2) body = mutateBytes(body, random);
  if (random() < 0.03)
    type = pick(random, ['text/plain', 'application/x-www-form-urlencoded; charset=utf-8', '']);
  const ts = timestampFor(random);
  return {
    method: 'POST',
    path: '/slack/events',
    headers: {
      'content-type': type,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body),
    },
    body,
  };
}

function jsonBody(seed: unknown, random: Random): Buffer {
  let body: Buffer = Buffer.from(JSON.stringify(mutated(seed, random)) ?? 'null');
  if (random() < 0.2) body = mutateBytes(body, random);
  return body;
}

function webhookAttempt(random: Random): Attempt {
  const body = jsonBody(DEAL, random);
  const ts = timestampFor(random);
  return {
    method: 'POST',
    path: '/webhooks/deal-closed',
    headers: {
      'content-type': 'application/json',
      'x-arbridge-timestamp': String(ts),
      'x-arbridge-signature': signBody(WEBHOOK_SECRET, ts, body),
    },
    body,
  };
}

const STRIPE_EVENT = {
  id: 'evt_fuzz1',
  object: 'event',
  type: 'invoice.finalized',
  created: 1764590000,
  data: {
    object: {
      id: 'in_fuzz1',
      number: 'FUZZ-STRIPE-1',
      customer: 'cus_fuzz',
      customer_name: 'Fuzz Stripe Co',
      metadata: { crm_account_id: 'A-1' },
      amount_due: 1000,
      amount_remaining: 1000,
      currency: 'usd',
      created: 1764500000,
      due_date: 1765500000,
      status: 'open',
      hosted_invoice_url: 'https://invoice.stripe.com/i/fuzz',
    },
  },
};

function stripeAttempt(random: Random): Attempt {
  const body = jsonBody(
    random() < 0.3
      ? {
          ...STRIPE_EVENT,
          type: 'charge.dispute.created',
          data: {
            object: {
              id: 'dp_1',
              charge: 'ch_1',
              amount: 5,
              currency: 'usd',
              reason: 'duplicate',
              status: 'needs_response',
            },
          },
        }
      : STRIPE_EVENT,
    random,
  );
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload: body.toString('utf8'),
    secret: STRIPE_SECRET,
    timestamp: timestampFor(random),
  });
  return {
    method: 'POST',
    path: '/webhooks/stripe',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body,
  };
}

const HUBSPOT_BATCH = [
  {
    eventId: 1,
    subscriptionType: 'deal.propertyChange',
    portalId: 1,
    objectId: 1,
    occurredAt: 1764590000000,
    propertyName: 'dealstage',
    propertyValue: 'closedwon',
  },
  { eventId: 2, subscriptionType: 'deal.creation', portalId: 1, objectId: 2, occurredAt: 1764590000000 },
];

function hubspotAttempt(random: Random): Attempt {
  const body = jsonBody(HUBSPOT_BATCH, random);
  const timestamp = String(timestampFor(random) * 1000);
  const signature = hubSpotSignature(
    HUBSPOT_SECRET,
    'POST',
    `${signedBase}/webhooks/hubspot`,
    body,
    timestamp,
  );
  return {
    method: 'POST',
    path: '/webhooks/hubspot',
    headers: {
      'content-type': 'application/json',
      'x-hubspot-signature-v3': signature,
      'x-hubspot-request-timestamp': timestamp,
    },
    body,
  };
}

const OUTBOUND = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>${SALESFORCE_ORG}</OrganizationId><Notification><Id>04l1</Id><sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>006FUZZ</sf:Id><sf:AccountId>001FUZZ</sf:AccountId><sf:Account_Name__c>Fuzz SF</sf:Account_Name__c><sf:Amount>10.0</sf:Amount><sf:CloseDate>2026-11-30</sf:CloseDate><sf:IsWon>true</sf:IsWon><sf:Name>Fuzz opp</sf:Name><sf:Owner_Email__c>u0fuzzrep@fuzz.example</sf:Owner_Email__c></sObject></Notification></notifications></soapenv:Body></soapenv:Envelope>`;

function salesforceAttempt(random: Random): Attempt {
  const body = mutateBytes(Buffer.from(OUTBOUND), random);
  const token = random() < 0.1 ? 'wrong' : SALESFORCE_TOKEN;
  return {
    method: 'POST',
    path: `/webhooks/salesforce?token=${token}`,
    headers: { 'content-type': 'text/xml' },
    body: random() < 0.2 ? Buffer.from(OUTBOUND) : body,
  };
}

function apiAttempt(random: Random): Attempt {
  return {
    method: 'POST',
    path: '/api/invoices',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` },
    body: jsonBody(INVOICES, random),
  };
}

function otherAttempt(random: Random): Attempt {
  const odd = encodeURIComponent(String(JSON.stringify(oddValue(random))).toWellFormed()).slice(0, 200);
  return pick<Attempt>(random, [
    { method: 'GET', path: `/healthz?x=${odd}`, headers: {} },
    { method: 'GET', path: `/readyz?${odd}`, headers: {} },
    { method: 'GET', path: `/metrics?${odd}`, headers: {} },
    { method: 'POST', path: '/metrics', headers: {}, body: Buffer.from(odd) },
    {
      method: 'POST',
      path: '/healthz',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('null'),
    },
    { method: 'GET', path: `/${odd}`, headers: {} },
    { method: 'GET', path: '/webhooks/deal-closed', headers: {} },
    { method: 'POST', path: '/slack/events/', headers: {}, body: Buffer.from('payload=null') },
  ]);
}

/** Bodies just over each route's limit: 413, and the connection closed. */
function oversized(random: Random): Attempt {
  const attempt =
    random() < 0.5 ? webhookAttempt(random) : random() < 0.5 ? apiAttempt(random) : stripeAttempt(random);
  const body = Buffer.alloc(attempt.path === '/api/invoices' ? 20_000_100 : 1_000_100, 0x20);
  const ts = now();
  return {
    ...attempt,
    body,
    headers: {
      ...attempt.headers,
      'x-arbridge-timestamp': String(ts),
      'x-arbridge-signature': signBody(WEBHOOK_SECRET, ts, body),
    },
  };
}

function attemptFor(random: Random, i: number): Attempt {
  if (i % 1_000 === 500) return oversized(random);
  const roll = random();
  if (roll < 0.55) return slackAttempt(random);
  if (roll < 0.67) return webhookAttempt(random);
  if (roll < 0.79) return apiAttempt(random);
  if (roll < 0.85) return stripeAttempt(random);
  if (roll < 0.91) return hubspotAttempt(random);
  if (roll < 0.96) return salesforceAttempt(random);
  return otherAttempt(random);
}

describe('fuzzing every route of the running app', () => {
  let fake: FakeSlack;
  let app: AppProcess;
  let base: string;
  let hubspot: FakeApi;
  let close: () => Promise<void> = async () => {};

  beforeAll(async () => {
    fake = await startFakeSlack();
    // HubSpot's API answers every read with 404 (no such deal): the connector acknowledges and stores nothing.
    hubspot = await startFakeApi();
    for (const id of [REP, AR]) fake.addUser({ id, tz: 'UTC', email: `${id.toLowerCase()}@fuzz.example` });
    let database: Record<string, string>;
    if (usingPostgres) {
      const handle = await openTestDatabase();
      database = { DATABASE_URL: handle.url as string };
      close = () => handle.close();
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'arbridge-fuzz-'));
      database = { DATA_DIR: dir };
      close = async () => rmSync(dir, { recursive: true, force: true });
    }
    const started = await startAppOnPort({
      SLACK_BOT_TOKEN: 'xoxb-fuzz',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.url,
      FINANCE_CHANNEL_ID: 'C0FINANCE',
      AR_USER_IDS: AR,
      WEBHOOK_SECRET,
      API_TOKEN,
      STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
      HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
      HUBSPOT_ACCESS_TOKEN: 'pat-fuzz',
      HUBSPOT_API_URL: hubspot.url,
      SALESFORCE_ORG_IDS: SALESFORCE_ORG,
      SALESFORCE_WEBHOOK_TOKEN: SALESFORCE_TOKEN,
      LOG_LEVEL: 'info',
      ...database,
    });
    app = started.app;
    base = `http://127.0.0.1:${started.port}`;
    signedBase = base;
  }, 60_000);
  afterAll(async () => {
    app?.kill('SIGTERM');
    await app?.exited;
    await close();
    await fake?.close();
    await hubspot?.close();
  });

  it('answers thousands of signed, mutated requests without a 5xx and without exiting', async () => {
    // Real rows for the ids the seeds name (deal 1, account 1, invoice 1), so mutations reach the flows.
    const seedTs = now();
    const deal = Buffer.from(JSON.stringify(DEAL));
    await fetch(`${base}/webhooks/deal-closed`, {
      method: 'POST',
      headers: {
        ...webhookAttempt(seededRandom(1)).headers,
        'x-arbridge-timestamp': String(seedTs),
        'x-arbridge-signature': signBody(WEBHOOK_SECRET, seedTs, deal),
      },
      body: deal,
    });
    await fetch(`${base}/api/invoices`, { ...apiAttempt(seededRandom(1)), body: JSON.stringify(INVOICES) });

    const random = seededRandom(SEED);
    const attempts = Array.from({ length: REQUESTS }, (_, i) => attemptFor(random, i));
    const statuses = new Map<string, number>();
    const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
    const fiveXX: string[] = [];
    let next = 0;
    const started = Date.now();
    const worker = async () => {
      while (next < attempts.length) {
        const a = attempts[next++] as Attempt;
        try {
          const body = a.body ? new Uint8Array(a.body) : undefined;
          const res = await fetch(`${base}${a.path}`, { method: a.method, headers: a.headers, body });
          await res.arrayBuffer();
          count(String(res.status));
          if (res.status >= 500)
            fiveXX.push(`${res.status} ${a.method} ${a.path} ${a.body?.subarray(0, 300).toString()}`);
        } catch {
          // A 413 closes its connection, sometimes before the client finished sending.
          count(a.body && a.body.length > 1_000_000 ? '413 (closed while sending)' : 'connection error');
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (Date.now() - started) / 1000;
    const health = await fetch(`${base}/healthz`).catch(() => ({ status: 0 }));
    const exits = app.exitCode === null && app.signalCode === null ? 0 : 1;
    const errors = new Map<string, number>();
    for (const line of app.output().split('\n')) {
      if (!line.includes('"level":50') && !line.includes('"level":60')) continue;
      const msg = /"msg":"([^"]{0,120})/.exec(line)?.[1];
      if (msg) errors.set(msg, (errors.get(msg) ?? 0) + 1);
    }
    process.stdout.write(
      `\n--- fuzz (seed ${SEED}): ${attempts.length} requests in ${seconds.toFixed(1)} s, ` +
        `${fiveXX.length} 5xx, ${exits} process exits\n` +
        `statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}\n` +
        `error log lines: ${JSON.stringify(Object.fromEntries(errors))}\n` +
        (fiveXX.length ? `first 5xx: ${fiveXX.slice(0, 5).join('\n')}\n` : ''),
    );
    expect(fiveXX).toEqual([]);
    expect(exits).toBe(0);
    expect(health.status).toBe(200);
    expect(statuses.get('connection error') ?? 0).toBe(0);
  }, 240_000);
});
