import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { organizationAllowed, parseOutboundMessage } from '../../src/connectors/salesforce/map.ts';
import { type Harness, startHarness } from '../support/harness.ts';

const TOKEN = 'salesforce-endpoint-token-0123456789';
const ORG_18 = '00D5g000004ExAmEAK';
const REP = 'U0SFREP';
const REP_EMAIL = 'sf.rep@example.com';
let h: Harness;
let seq = 0;

beforeAll(async () => {
  h = await startHarness({
    SALESFORCE_ORG_IDS: ORG_18.slice(0, 15),
    SALESFORCE_WEBHOOK_TOKEN: TOKEN,
  });
  h.fake.addUser({ id: REP, tz: 'UTC', email: REP_EMAIL });
});
afterAll(async () => h?.close());
beforeEach(() => h.fake.reset());

function opportunity(id: string, fields: Record<string, string> = {}) {
  seq += 1;
  const all: Record<string, string> = {
    Id: id,
    AccountId: '0015g00000AbCdEAAZ',
    Account_Name__c: 'Initech & Co',
    Account_Website__c: 'https://www.initech.example',
    Amount: '42000.0',
    CloseDate: '2026-11-30',
    IsWon: 'true',
    Name: 'Initech expansion',
    Owner_Email__c: REP_EMAIL,
    StageName: 'Closed Won',
    ...fields,
  };
  const xml = Object.entries(all)
    .map(([k, v]) => `<sf:${k}>${v.replace(/&/g, '&amp;')}</sf:${k}>`)
    .join('\n     ');
  return `
   <Notification>
    <Id>04l5g000000${String(seq).padStart(4, '0')}AAA</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     ${xml}
    </sObject>
   </Notification>`;
}

/** An Outbound Message exactly as Salesforce sends one. */
function message(notifications: string[], org = ORG_18) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>${org}</OrganizationId>
   <ActionId>04k5g000000ExAmAAC</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://initech.my.salesforce.com/services/Soap/c/62.0/00D5g000004ExAm</EnterpriseUrl>
   <PartnerUrl>https://initech.my.salesforce.com/services/Soap/u/62.0/00D5g000004ExAm</PartnerUrl>${notifications.join('')}
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`;
}

async function send(xml: string, token: string | null = TOKEN) {
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  const res = await fetch(`${h.baseUrl}/webhooks/salesforce${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
    body: xml,
  });
  const text = await res.text();
  const doc = new XMLParser({ removeNSPrefix: true }).parse(text);
  return { status: res.status, type: res.headers.get('content-type'), body: doc.Envelope?.Body };
}

async function deal(crmId: string) {
  return h.database.db.selectFrom('deals').selectAll().where('crm_id', '=', crmId).executeTakeFirst();
}

describe('Outbound Message parsing', () => {
  it('reads the organisation and every notification; accepts 15- and 18-character org ids', () => {
    const parsed = parseOutboundMessage(message([opportunity('0065g00000A1'), opportunity('0065g00000A2')]));
    expect(parsed.ok && parsed.value.notifications.map((n) => n.fields.Id)).toEqual([
      '0065g00000A1',
      '0065g00000A2',
    ]);
    expect(parsed.ok && parsed.value.notifications[0]?.fields.Account_Name__c).toBe('Initech & Co');
    expect(organizationAllowed(ORG_18, [ORG_18.slice(0, 15)])).toBe(true);
    expect(organizationAllowed(ORG_18.slice(0, 15), [ORG_18])).toBe(true);
    expect(organizationAllowed('00D5g000004ExAMEAK', [ORG_18])).toBe(false);
    expect(parseOutboundMessage('<a><b></a>')).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/well-formed/)],
    });
  });
});

describe('POST /webhooks/salesforce', () => {
  it('refuses a missing or wrong token and another organisation with 401, storing nothing', async () => {
    const xml = message([opportunity('0065g00000F1')]);
    expect(await send(xml, null)).toMatchObject({
      status: 401,
      body: { Fault: { faultstring: expect.stringMatching(/token/) } },
    });
    expect(await send(xml, 'wrong-token-0123456789abcdef')).toMatchObject({ status: 401 });
    expect(await send(message([opportunity('0065g00000F1')], '00D000000000001EAA'))).toMatchObject({
      status: 401,
    });
    expect(await deal('0065g00000F1')).toBeUndefined();
  });

  it('hands off a won Opportunity, acknowledges so Salesforce stops, and dedupes the resend', async () => {
    const won = opportunity('0065g00000W1');
    const open = opportunity('0065g00000W2', { IsWon: 'false', StageName: 'Negotiation/Review' });
    const xml = message([won, open]);
    const first = await send(xml);
    expect(first).toMatchObject({ status: 200, body: { notificationsResponse: { Ack: true } } });
    expect(first.type).toMatch(/^text\/xml/);
    expect(await deal('0065g00000W1')).toMatchObject({
      name: 'Initech expansion',
      amount_cents: 4_200_000,
      currency: 'USD',
      owner_email: REP_EMAIL,
    });
    expect(await deal('0065g00000W2')).toBeUndefined();
    await h.drain();
    const dms = () =>
      h.fake.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args).includes('Initech expansion'));
    expect(dms()).toHaveLength(1);
    // Salesforce resends the same message, then a new notification for the same Opportunity.
    expect(await send(xml)).toMatchObject({ status: 200, body: { notificationsResponse: { Ack: true } } });
    expect(await send(message([opportunity('0065g00000W1')]))).toMatchObject({ status: 200 });
    await h.drain();
    expect(dms()).toHaveLength(1);
  });

  it('answers a message it cannot use with a 400 SOAP fault naming the missing fields, storing nothing', async () => {
    const missing = opportunity('0065g00000B1', { Owner_Email__c: '', Account_Name__c: '' });
    const bad = await send(message([missing, opportunity('0065g00000B2')]));
    expect(bad.status).toBe(400);
    expect(bad.body.Fault.faultstring).toMatch(
      /Owner_Email__c is missing \(add the formula field Owner_Email__c/,
    );
    expect(bad.body.Fault.faultstring).toMatch(/Account_Name__c is missing/);
    expect(await deal('0065g00000B2')).toBeUndefined();
    expect(await send('<soapenv:Envelope>not closed')).toMatchObject({ status: 400 });
  });
});
