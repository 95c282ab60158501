/**
 * Salesforce Outbound Messages (SOAP) for Opportunity, mapped to closed deals. Pure: the XML is
 * parsed with fast-xml-parser (never with regexes), every problem is named, and the answer Salesforce
 * expects is built here.
 *
 * | Opportunity field (in the outbound message)     | AR Bridge deal-closed field                |
 * | ----------------------------------------------- | ------------------------------------------ |
 * | `Id`                                            | `deal_id`                                  |
 * | `Name`                                          | `deal_name`                                |
 * | `Amount`, in `CurrencyIsoCode` (multi-currency  | `amount_cents`, `currency`                 |
 * | orgs), else `Currency_Code__c`, else USD        |                                            |
 * | `CloseDate`                                     | `closed_at` (noon UTC that day)            |
 * | `Owner_Email__c` (formula: `Owner.Email`)       | `owner.email`                              |
 * | `AccountId`, `Account_Name__c` (formula:        | `account.id`, `account.name`               |
 * | `Account.Name`)                                 |                                            |
 * | `Account_Website__c` (optional formula:         | `account.domain`                           |
 * | `Account.Website`)                              |                                            |
 * | `IsWon` true, or `StageName` in                 | a closed deal; anything else is            |
 * | SALESFORCE_CLOSED_WON_STAGES                    | acknowledged and ignored                   |
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseDecimalAmount } from '../../domain/decimal.ts';
import { isCurrencyCode, minorDigits } from '../../domain/money.ts';
import { bareDomain } from '../hubspot/map.ts';

export interface OutboundNotification {
  /** The notification's own id: the same on every retry of it. */
  id: string;
  fields: Record<string, string>;
}

export interface OutboundMessage {
  organizationId: string;
  notifications: OutboundNotification[];
}

/** Salesforce sends at most 100 notifications per message. */
export const MAX_NOTIFICATIONS = 100;

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === 'Notification',
});

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A leaf's text; `xsi:nil` and empty elements are empty. */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isRecord(v) && typeof v['#text'] === 'string') return v['#text'];
  return '';
}

/** The message's organisation id and notifications, or every problem (malformed XML, missing parts). */
export function parseOutboundMessage(
  xml: string,
): { ok: true; value: OutboundMessage } | { ok: false; problems: string[] } {
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    return { ok: false, problems: [`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`] };
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (error) {
    return { ok: false, problems: [`not readable XML: ${(error as Error).message}`] };
  }
  const body = isRecord(doc) && isRecord(doc.Envelope) ? doc.Envelope.Body : undefined;
  const notifications = isRecord(body) ? body.notifications : undefined;
  if (!isRecord(notifications))
    return { ok: false, problems: ['not an Outbound Message: no soapenv:Envelope/Body/notifications'] };
  const problems: string[] = [];
  const organizationId = text(notifications.OrganizationId).trim();
  if (!organizationId) problems.push('OrganizationId is missing');
  const list = Array.isArray(notifications.Notification) ? notifications.Notification : [];
  if (list.length === 0) problems.push('no Notification');
  if (list.length > MAX_NOTIFICATIONS) problems.push(`more than ${MAX_NOTIFICATIONS} notifications`);
  const parsed: OutboundNotification[] = [];
  list.forEach((n: unknown, i) => {
    const where = `Notification ${i + 1}`;
    const id = isRecord(n) ? text(n.Id).trim() : '';
    const sObject = isRecord(n) ? n.sObject : undefined;
    if (!id) problems.push(`${where}: Id is missing`);
    if (!isRecord(sObject)) {
      problems.push(`${where}: sObject is missing`);
      return;
    }
    const type = text(sObject['@type']);
    if (type && !/(^|:)Opportunity$/.test(type))
      problems.push(`${where}: the sObject is a ${type}, not an Opportunity`);
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(sObject))
      if (!key.startsWith('@')) fields[key] = text(value).trim();
    parsed.push({ id, fields });
  });
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, value: { organizationId, notifications: parsed } };
}

/** An organisation id is allowed when its first 15 characters (the case-sensitive id) are listed. */
export function organizationAllowed(organizationId: string, allowed: readonly string[]): boolean {
  const id = organizationId.slice(0, 15);
  return id.length === 15 && allowed.some((a) => a.slice(0, 15) === id);
}

export function isClosedWon(fields: Record<string, string>, stages: readonly string[]): boolean {
  return fields.IsWon === 'true' || stages.includes(fields.StageName ?? '');
}

/** "42000.0", "4.2E4": an amount as Salesforce writes a currency field, in minor units. */
function amountOf(value: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const plain = /^\d+(\.\d+)?E[+-]?\d+$/i.test(value) ? Number(value).toFixed(digits) : value;
  return parseDecimalAmount(plain, digits);
}

/** A won Opportunity as a deal-closed body, with the problems the schema cannot see. */
export function dealClosedBodyOfOpportunity(n: OutboundNotification): {
  body: Record<string, unknown>;
  problems: string[];
} {
  const f = n.fields;
  const problems: string[] = [];
  const where = `Opportunity ${f.Id || n.id}`;
  const currency = (f.CurrencyIsoCode || f.Currency_Code__c || 'USD').toUpperCase();
  let amountCents: number | null = 0;
  if (!isCurrencyCode(currency)) problems.push(`${where}: currency ${currency} is not ISO 4217`);
  else if (f.Amount) {
    amountCents = amountOf(f.Amount, currency);
    if (amountCents === null)
      problems.push(`${where}: Amount ${JSON.stringify(f.Amount)} is not an amount in ${currency}`);
  }
  for (const [field, hint] of [
    ['Id', 'add the Opportunity ID field to the outbound message'],
    ['Owner_Email__c', 'add the formula field Owner_Email__c (Owner.Email) and send it'],
    ['AccountId', 'add the Account ID field to the outbound message'],
    ['Account_Name__c', 'add the formula field Account_Name__c (Account.Name) and send it'],
  ] as const)
    if (!f[field]) problems.push(`${where}: ${field} is missing (${hint})`);
  const domain = bareDomain(f.Account_Website__c);
  return {
    problems,
    body: {
      deal_id: f.Id ?? '',
      deal_name: f.Name ?? '',
      amount_cents: amountCents ?? 0,
      currency,
      closed_at: f.CloseDate ?? '',
      owner: { email: f.Owner_Email__c ?? '' },
      account: { id: f.AccountId ?? '', name: f.Account_Name__c ?? '', ...(domain ? { domain } : {}) },
    },
  };
}

const ENVELOPE = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

/** The acknowledgement Salesforce waits for; without it, it sends the message again for 24 hours. */
export const SOAP_ACK = ENVELOPE(
  '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse>',
);

function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A SOAP fault naming every problem (Salesforce shows it in Outbound Messages → delivery status). */
export function soapFault(summary: string, problems: readonly string[]): string {
  const detail = [summary, ...problems].join('; ');
  return ENVELOPE(
    `<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>${escapeXml(detail)}</faultstring></soapenv:Fault>`,
  );
}
