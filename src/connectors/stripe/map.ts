/**
 * Stripe's webhook payloads mapped to our objects. Pure: parsed JSON in, invoices, payments and
 * disputes (or every problem) out. The route verified the signature; the flow applies the result.
 *
 * | Stripe                                   | AR Bridge                                             |
 * | ---------------------------------------- | ----------------------------------------------------- |
 * | invoice `number`                         | invoice number (drafts have none and are ignored)     |
 * | `metadata.crm_account_id`, else the      | account CRM id                                        |
 * | customer's `metadata.crm_account_id`     |                                                       |
 * | `customer_name`, else the customer's     | account name                                          |
 * | name, else `customer_email`              |                                                       |
 * | `amount_due` / `amount_remaining`        | amount / balance, in the currency's minor units       |
 * | `currency`                               | currency (upper case)                                 |
 * | `created` / `due_date`                   | issued on / due on, days in BUSINESS_TIMEZONE (no due |
 * |                                          | date, as for `charge_automatically`: due when issued) |
 * | `status` paid / void / uncollectible     | paid / void / void (written off); else open           |
 * | `hosted_invoice_url`                     | invoice link                                          |
 */
import { z } from 'zod';
import { dayIn } from '../../domain/dates.ts';
import type { InvoiceInput } from '../../domain/invoice-input.ts';
import { isCurrencyCode, minorDigits } from '../../domain/money.ts';
import { describeIssues } from '../../validation.ts';

const id = z.string().trim().min(1).max(255);
/** Webhooks send related objects as bare ids; an expanded object carries its id. */
const ref = z.union([id, z.object({ id })]).transform((v) => (typeof v === 'string' ? v : v.id));
const unix = z.number().int().nonnegative();
const amount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const metadata = z.record(z.string(), z.string()).nullish();

export const stripeEvent = z.object({
  id: z.string().regex(/^evt_\w+$/, 'must be a Stripe event id (evt_…)'),
  type: z.string().min(1).max(200),
  created: unix,
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});
export type StripeEvent = z.output<typeof stripeEvent>;

/** A payment as an invoice's `payments` list or an `invoice_payment` names it. */
const payment = z
  .object({ payment_intent: ref.nullish(), charge: ref.nullish() })
  .transform((p) => [p.payment_intent, p.charge].filter((v): v is string => typeof v === 'string'));

export const stripeInvoice = z.object({
  id: z.string().regex(/^in_\w+$/, 'must be a Stripe invoice id (in_…)'),
  number: z.string().trim().max(200).nullish(),
  customer: ref.nullish(),
  customer_name: z.string().trim().max(300).nullish(),
  customer_email: z.string().trim().max(300).nullish(),
  metadata,
  amount_due: amount,
  amount_remaining: amount,
  currency: z.string().trim(),
  created: unix,
  due_date: unix.nullish(),
  status: z.enum(['draft', 'open', 'paid', 'void', 'uncollectible']).nullish(),
  hosted_invoice_url: z.string().max(2000).nullish(),
  // Before the 2025-03-31 (basil) API, an invoice named its payment; since, its `payments` list does.
  payment_intent: ref.nullish(),
  charge: ref.nullish(),
  payments: z.object({ data: z.array(z.object({ payment })) }).nullish(),
});
export type StripeInvoice = z.output<typeof stripeInvoice>;

export const stripeInvoicePayment = z.object({
  invoice: ref,
  payment,
});

export const stripeDispute = z.object({
  id: z.string().regex(/^dp_\w+$/, 'must be a Stripe dispute id (dp_…)'),
  charge: ref.nullish(),
  payment_intent: ref.nullish(),
  amount,
  currency: z.string().trim(),
  reason: z.string().max(100).default('general'),
  status: z.string().max(100),
});
export type StripeDispute = z.output<typeof stripeDispute>;

/** The invoice events that go through the invoice upsert. */
export const INVOICE_EVENTS = [
  'invoice.finalized',
  'invoice.updated',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice.overdue',
] as const;

/** How far along its life an invoice state is: later states win over earlier ones sent in the same second. */
export function invoiceRank(status: StripeInvoice['status']): number {
  switch (status) {
    case 'paid':
    case 'void':
      return 3;
    case 'uncollectible':
      return 2;
    case 'open':
      return 1;
    default:
      return 0;
  }
}

/** A dispute's rank: closed (won, lost) after open. */
export function disputeRank(status: string): number {
  return ['won', 'lost', 'warning_closed', 'prevented'].includes(status) ? 2 : 1;
}

/** Stripe's decimals for a currency, as its API writes amounts (docs.stripe.com/currencies). */
const STRIPE_ZERO_DECIMAL = new Set(
  'BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF'.split(' '),
);
const STRIPE_THREE_DECIMAL = new Set('BHD JOD KWD OMR TND'.split(' '));

export function stripeDecimals(currency: string): number {
  if (STRIPE_ZERO_DECIMAL.has(currency)) return 0;
  if (STRIPE_THREE_DECIMAL.has(currency)) return 3;
  // ISK is zero-decimal but Stripe still writes it with two decimals, always 00 (500 is 5 ISK).
  return 2;
}

/**
 * A Stripe amount in our minor units for the currency (ISO 4217, as `formatMoney` shows it).
 * They differ for ISK (Stripe: two decimals, always 00; ISO: none): 500 → 5. Null when the amount
 * has digits our unit cannot hold.
 */
export function stripeToMinor(stripeAmount: number, currency: string): number | null {
  const shift = minorDigits(currency) - stripeDecimals(currency);
  if (shift >= 0) return stripeAmount * 10 ** shift;
  const unit = 10 ** -shift;
  return stripeAmount % unit === 0 ? stripeAmount / unit : null;
}

export interface CustomerFacts {
  name: string | null;
  crmAccountId: string | null;
}

export type MappedInvoice =
  | { kind: 'invoice'; row: InvoiceInput; rank: number; paymentIds: string[] }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; problems: string[] };

/** The payments an invoice names (its `payments` list, or the pre-basil `payment_intent` / `charge`). */
export function invoicePaymentIds(invoice: StripeInvoice): string[] {
  const ids = [invoice.payment_intent, invoice.charge].filter((v): v is string => typeof v === 'string');
  for (const p of invoice.payments?.data ?? []) ids.push(...p.payment);
  return [...new Set(ids)];
}

/** An invoice event's object as the invoice our upsert takes. */
export function mapStripeInvoice(
  invoice: StripeInvoice,
  customer: CustomerFacts | null,
  timeZone: string,
): MappedInvoice {
  if (!invoice.number || invoice.status === 'draft')
    return { kind: 'ignored', reason: 'a draft invoice (no number yet)' };
  const problems: string[] = [];
  const currency = invoice.currency.toUpperCase();
  if (!isCurrencyCode(currency)) problems.push(`currency: ${invoice.currency} is not an ISO 4217 code`);
  const crmId = invoice.metadata?.crm_account_id?.trim() || customer?.crmAccountId || null;
  const name = invoice.customer_name || customer?.name || invoice.customer_email || null;
  if (!crmId && !name)
    problems.push(
      'customer: no metadata.crm_account_id, customer_name or customer_email (set STRIPE_API_KEY to read the customer)',
    );
  const amountCents = problems.length > 0 ? null : stripeToMinor(invoice.amount_due, currency);
  const balanceCents = problems.length > 0 ? null : stripeToMinor(invoice.amount_remaining, currency);
  if (problems.length === 0 && (amountCents === null || balanceCents === null))
    problems.push(`amount_due, amount_remaining: not whole ${currency} minor units`);
  if (amountCents !== null && balanceCents !== null && balanceCents > amountCents)
    problems.push('amount_remaining: must not be more than amount_due');
  const issuedOn = dayIn(timeZone, new Date(invoice.created * 1000));
  const dueOn = invoice.due_date ? dayIn(timeZone, new Date(invoice.due_date * 1000)) : issuedOn;
  if (dueOn < issuedOn) problems.push('due_date: must not be before created');
  const url = invoice.hosted_invoice_url;
  if (url && !/^https?:\/\//.test(url)) problems.push('hosted_invoice_url: must be an http or https link');
  if (problems.length > 0 || amountCents === null || balanceCents === null)
    return { kind: 'invalid', problems };
  const status =
    invoice.status === 'paid'
      ? 'paid'
      : invoice.status === 'void' || invoice.status === 'uncollectible'
        ? 'void'
        : 'open';
  return {
    kind: 'invoice',
    rank: invoiceRank(invoice.status),
    paymentIds: invoicePaymentIds(invoice),
    row: {
      number: invoice.number,
      account: { crmId, name },
      amountCents,
      balanceCents: status === 'paid' ? 0 : balanceCents,
      currency,
      issuedOn,
      dueOn,
      status,
      ...(url ? { url } : {}),
    },
  };
}

/** Stripe's dispute reasons as ours (what the rep can act on). */
export function disputeReason(stripeReason: string): string {
  switch (stripeReason) {
    case 'duplicate':
      return 'duplicate_invoice';
    case 'product_not_received':
    case 'product_unacceptable':
      return 'goods_or_service_issue';
    case 'credit_not_processed':
      return 'discount_missing_or_wrong';
    case 'subscription_canceled':
      return 'terms_disagreement';
    default:
      return 'other';
  }
}

/** Parses with a schema, naming every problem under a prefix (`data.object.amount_due: …`). */
export function parseWith<T>(
  schema: z.ZodType<T>,
  value: unknown,
  prefix: string,
): { ok: true; value: T } | { ok: false; problems: string[] } {
  const parsed = schema.safeParse(value);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, problems: describeIssues(parsed.error, prefix) };
}
