/**
 * HubSpot's webhook batches and CRM records mapped to a closed deal. Pure: the route verified the
 * signature, the flow reads the CRM, and these decide what a deal-closed body is.
 *
 * | HubSpot                                           | AR Bridge deal-closed field               |
 * | ------------------------------------------------- | ----------------------------------------- |
 * | deal id (`objectId`)                              | `deal_id`                                 |
 * | `dealname`                                        | `deal_name`                               |
 * | `amount` in `deal_currency_code` (default USD)    | `amount_cents`, `currency`                |
 * | `closedate` (else when the event happened)        | `closed_at`                               |
 * | the owner's (`hubspot_owner_id`) email            | `owner.email`                             |
 * | the first associated company: id, name, domain    | `account` (id, name, domain)              |
 * | deal properties named as intake keys              | `prefill` (e.g. `payment_terms`,          |
 * |                                                   | `po_number`, `billing_address`)           |
 */
import { z } from 'zod';
import { parseDecimalAmount } from '../../domain/decimal.ts';
import { FIELD_KEYS, parsePrefill, snakeKey } from '../../domain/handoff.ts';
import { isCurrencyCode, minorDigits } from '../../domain/money.ts';

const hubSpotId = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)], {
    error: 'must be a HubSpot id (digits)',
  })
  .transform(String);

export const hubSpotEvent = z.object({
  eventId: hubSpotId,
  subscriptionType: z.string().max(100),
  portalId: hubSpotId.optional(),
  objectId: hubSpotId,
  occurredAt: z.number().int().nonnegative(),
  propertyName: z.string().max(200).optional(),
  propertyValue: z.string().max(1000).optional(),
});
export type HubSpotEvent = z.output<typeof hubSpotEvent>;

/** HubSpot sends up to 100 events per request. */
export const hubSpotBatch = z
  .array(hubSpotEvent)
  .max(100, 'must hold at most 100 events (HubSpot sends 100)');

/** Whether an event may announce a closed-won deal: a dealstage change to one, or a new deal (read to see). */
export function mayCloseDeal(event: HubSpotEvent, closedWonStages: readonly string[]): boolean {
  if (event.subscriptionType === 'deal.creation') return true;
  return (
    event.subscriptionType === 'deal.propertyChange' &&
    event.propertyName === 'dealstage' &&
    closedWonStages.includes(event.propertyValue ?? '')
  );
}

/** Intake fields a deal property can prefill: the intake's own keys (`payment_terms`, `po_number`…). */
export const PREFILL_PROPERTIES: readonly string[] = FIELD_KEYS.map(snakeKey);

/** The deal properties read from HubSpot. */
export const DEAL_PROPERTIES: readonly string[] = [
  'dealname',
  'amount',
  'deal_currency_code',
  'closedate',
  'dealstage',
  'hubspot_owner_id',
  ...PREFILL_PROPERTIES,
];

export interface HubSpotDeal {
  id: string;
  properties: Record<string, string | null | undefined>;
  companyIds: string[];
}

export interface HubSpotCompany {
  id: string;
  properties: Record<string, string | null | undefined>;
}

/** A company's domain as our accounts keep it: no scheme, no www, no path. */
export function bareDomain(value: string | null | undefined): string | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (!v) return undefined;
  return (
    v
      .replace(/^https?:\/\//, '')
      .replace(/^www\./, '')
      .split('/')[0] || undefined
  );
}

/**
 * The deal-closed body for a closed-won deal (checked afterwards by the deal-closed schema, so a
 * missing owner or name is named like any webhook's), with the prefill values that parse; a deal
 * property that is not a valid intake value is left out, not an error (it is CRM data, not ours).
 */
export function dealClosedBodyOf(
  deal: HubSpotDeal,
  company: HubSpotCompany | null,
  ownerEmail: string | null,
  occurredAt: Date,
): { body: Record<string, unknown>; problems: string[] } {
  const p = deal.properties;
  const problems: string[] = [];
  const currency = (p.deal_currency_code ?? '').trim().toUpperCase() || 'USD';
  let amountCents: number | null = 0;
  if (!isCurrencyCode(currency))
    problems.push(`deal ${deal.id}: deal_currency_code ${currency} is not ISO 4217`);
  else if (p.amount?.trim()) {
    amountCents = parseDecimalAmount(p.amount.trim(), minorDigits(currency));
    if (amountCents === null)
      problems.push(`deal ${deal.id}: amount ${JSON.stringify(p.amount)} is not an amount in ${currency}`);
  }
  if (!company)
    problems.push(`deal ${deal.id}: no associated company (associate the deal with its customer's company)`);
  if (!ownerEmail) problems.push(`deal ${deal.id}: no owner with an email (set the deal owner)`);
  const prefill: Record<string, string> = {};
  for (const key of PREFILL_PROPERTIES) {
    const value = p[key];
    if (value?.trim() && parsePrefill({ [key]: value }).ok) prefill[key] = value;
  }
  const closed = p.closedate?.trim() ? p.closedate.trim() : occurredAt.toISOString();
  return {
    problems,
    body: {
      deal_id: deal.id,
      deal_name: p.dealname ?? '',
      amount_cents: amountCents ?? 0,
      currency,
      closed_at: closed,
      owner: ownerEmail ? { email: ownerEmail } : {},
      account: company
        ? {
            id: company.id,
            name: company.properties.name ?? '',
            ...(bareDomain(company.properties.domain)
              ? { domain: bareDomain(company.properties.domain) }
              : {}),
          }
        : { id: '', name: '' },
      prefill,
    },
  };
}
