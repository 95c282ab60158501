/**
 * Collections: how late an invoice is, its aging bucket, which past-due ping is due (once per threshold,
 * paused by disputes and promises to pay), credit hold, and the vocabulary of AR's collection updates.
 * Pure functions of data and "today" ('YYYY-MM-DD' in BUSINESS_TIMEZONE); no Slack, no SQL.
 */
import { isIsoDate } from './handoff.ts';
import { formatMoney } from './money.ts';

const DAY_MS = 86_400_000;

/**
 * Days already read, by their text: an answer reads the same few due dates and "today" for every
 * open invoice, several times over (days late, aging, credit hold). Only real calendar days are
 * kept, at most DAYS_KEPT (then the memory starts again).
 */
const dayNumbers = new Map<string, number>();
const DAYS_KEPT = 10_000;

function dayNumber(day: string): number {
  const known = dayNumbers.get(day);
  if (known !== undefined) return known;
  if (!isIsoDate(day)) throw new RangeError(`Expected a calendar day written YYYY-MM-DD, got ${day}`);
  const n = Date.parse(`${day}T00:00:00Z`) / DAY_MS;
  if (dayNumbers.size >= DAYS_KEPT) dayNumbers.clear();
  dayNumbers.set(day, n);
  return n;
}

/** Calendar days from `from` to `to` (negative when `to` is earlier): '2026-03-01' → '2026-03-02' is 1. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** Days an invoice is late on `today`: 0 until it is (due today is 0, due yesterday is 1). */
export function daysPastDue(dueOn: string, today: string): number {
  return Math.max(0, daysBetween(dueOn, today));
}

// ---------------------------------------------------------------------------------------------------------------
// Aging

export const AGING_BUCKETS = ['current', '1_30', '31_60', '61_90', '90_plus'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

export const AGING_LABELS: Record<AgingBucket, string> = {
  current: 'Current',
  '1_30': '1–30',
  '31_60': '31–60',
  '61_90': '61–90',
  '90_plus': '90+',
};

/** The aging bucket for a number of days past due (0 or less is current). */
export function agingBucket(daysLate: number): AgingBucket {
  if (daysLate <= 0) return 'current';
  if (daysLate <= 30) return '1_30';
  if (daysLate <= 60) return '31_60';
  if (daysLate <= 90) return '61_90';
  return '90_plus';
}

export function emptyAging(): Record<AgingBucket, number> {
  return { current: 0, '1_30': 0, '31_60': 0, '61_90': 0, '90_plus': 0 };
}

/** Open balances per currency and aging bucket. Amounts in different currencies are never added together. */
export function agingTotals(
  invoices: readonly { balanceCents: number; currency: string; dueOn: string }[],
  today: string,
): Map<string, Record<AgingBucket, number>> {
  const totals = new Map<string, Record<AgingBucket, number>>();
  for (const invoice of invoices) {
    const buckets = totals.get(invoice.currency) ?? emptyAging();
    buckets[agingBucket(daysPastDue(invoice.dueOn, today))] += invoice.balanceCents;
    totals.set(invoice.currency, buckets);
  }
  return totals;
}

// ---------------------------------------------------------------------------------------------------------------
// Past-due pings

/**
 * The threshold to ping for now: the highest one reached (≤ daysLate) above the last one pinged (0 = none yet),
 * or null. An invoice first seen 20 days late with thresholds 1, 15, 30 gets one ping, for 15.
 */
export function thresholdToPing(
  daysLate: number,
  thresholds: readonly number[],
  pingedThreshold: number,
): number | null {
  let due: number | null = null;
  for (const t of thresholds) if (t <= daysLate && t > pingedThreshold && (due === null || t > due)) due = t;
  return due;
}

/** The next threshold after the last one pinged, or null when none is left. */
export function nextThresholdAbove(pinged: number, thresholds: readonly number[]): number | null {
  let next: number | null = null;
  for (const t of thresholds) if (t > pinged && (next === null || t < next)) next = t;
  return next;
}

export interface InvoicePingState {
  status: 'open' | 'paid' | 'void';
  balanceCents: number;
  dueOn: string;
  disputeState: 'none' | 'open' | 'resolved';
  /** The highest threshold already pinged; 0 when none. */
  pingedThreshold: number;
  /** The day the customer promised to pay by, if they did. */
  promiseDate: string | null;
  /** Whether the rep was already told that `promiseDate` passed unpaid. */
  promiseBrokenPinged: boolean;
}

export type PingDecision =
  | { kind: 'past_due'; threshold: number; daysLate: number }
  | { kind: 'broken_promise'; promiseDate: string; daysLate: number }
  | null;

/**
 * What, if anything, to tell the rep about an invoice today. Only open invoices with a balance are pinged; an open
 * dispute pauses everything (the rep already knows); a promise to pay pauses pings through the promised day, and
 * once it has passed unpaid the rep is told once, after which the usual past-due thresholds resume.
 */
export function pingDecision(
  inv: InvoicePingState,
  today: string,
  thresholds: readonly number[],
): PingDecision {
  if (inv.status !== 'open' || inv.balanceCents <= 0) return null;
  if (inv.disputeState === 'open') return null;
  const daysLate = daysPastDue(inv.dueOn, today);
  if (inv.promiseDate !== null) {
    if (daysBetween(inv.promiseDate, today) <= 0) return null;
    if (!inv.promiseBrokenPinged) return { kind: 'broken_promise', promiseDate: inv.promiseDate, daysLate };
  }
  const threshold = thresholdToPing(daysLate, thresholds, inv.pingedThreshold);
  return threshold === null ? null : { kind: 'past_due', threshold, daysLate };
}

/** Whether a ping should warn that escalation to collections is near. */
export function escalationNear(daysLate: number, escalateAfterDays: number): boolean {
  return daysLate >= escalateAfterDays;
}

// ---------------------------------------------------------------------------------------------------------------
// Credit hold

export interface CreditHoldPolicy {
  creditHoldDays: number;
}

export interface CreditHoldInput {
  /** The open invoices; or only those due on or before holdLine, when owingInLimitCurrency is given. */
  openInvoices: readonly { number: string; balanceCents: number; currency: string; dueOn: string }[];
  creditLimitCents: number | null;
  creditLimitCurrency: string | null;
  /**
   * The positive open balances in the credit limit's currency, summed, when openInvoices lists only
   * the invoices late enough for a hold (otherwise they are summed from openInvoices).
   */
  owingInLimitCurrency?: number;
}

/**
 * The last due date late enough for a hold on `today`: an invoice due then or earlier is
 * `creditHoldDays` late (with no days at all, every invoice is: the last day there is).
 */
export function holdLine(today: string, policy: CreditHoldPolicy): string {
  if (policy.creditHoldDays <= 0) return '9999-12-31';
  return new Date((dayNumber(today) - policy.creditHoldDays) * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Why the account should be on credit hold, for people ("INV-1 is 61 days past due", "open balance $12,000.00
 * exceeds the credit limit of $10,000.00"); empty when it should not be. Invoices without a balance are ignored;
 * the credit limit only counts balances in its own currency.
 */
export function creditHoldReasons(input: CreditHoldInput, today: string, policy: CreditHoldPolicy): string[] {
  const owing = input.openInvoices.filter((invoice) => invoice.balanceCents > 0);
  const reasons = owing.flatMap((invoice) => {
    const late = daysPastDue(invoice.dueOn, today);
    return late >= policy.creditHoldDays ? [`${invoice.number} is ${days(late)} past due`] : [];
  });
  const { creditLimitCents: limit, creditLimitCurrency: currency } = input;
  if (limit !== null && currency !== null) {
    const open =
      input.owingInLimitCurrency ??
      owing
        .filter((invoice) => invoice.currency === currency)
        .reduce((sum, invoice) => sum + invoice.balanceCents, 0);
    if (open > limit) {
      reasons.push(
        `open balance ${formatMoney(open, currency)} exceeds the credit limit of ${formatMoney(limit, currency)}`,
      );
    }
  }
  return reasons;
}

export function onCreditHold(input: CreditHoldInput, today: string, policy: CreditHoldPolicy): boolean {
  return creditHoldReasons(input, today, policy).length > 0;
}

function days(count: number): string {
  return `${count} day${count === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Collection updates

export const DISPUTE_REASONS = [
  { value: 'pricing_error', label: 'Pricing error' },
  { value: 'discount_missing_or_wrong', label: 'Discount missing or wrong' },
  { value: 'po_missing_or_wrong', label: 'PO missing or wrong' },
  { value: 'wrong_billing_entity_or_contact', label: 'Wrong billing entity or contact' },
  { value: 'goods_or_service_issue', label: 'Goods or service not received or unsatisfactory' },
  { value: 'duplicate_invoice', label: 'Duplicate invoice' },
  { value: 'terms_disagreement', label: 'Terms of sale disagreement' },
  { value: 'invoice_not_received', label: 'Invoice not received' },
  { value: 'other', label: 'Other' },
] as const;

export type DisputeReason = (typeof DISPUTE_REASONS)[number]['value'];

export function isDisputeReason(value: string): value is DisputeReason {
  return DISPUTE_REASONS.some((reason) => reason.value === value);
}

/** 'pricing_error' → 'Pricing error'; unknown values are returned as they are. */
export function disputeReasonLabel(value: string): string {
  return DISPUTE_REASONS.find((reason) => reason.value === value)?.label ?? value;
}

export const UPDATE_KINDS = [
  'note',
  'reminder_sent',
  'contacted',
  'promise_to_pay',
  'dispute_opened',
  'dispute_resolved',
  'payment_received',
  'escalated',
  'written_off',
] as const;

export type UpdateKind = (typeof UPDATE_KINDS)[number];

export const UPDATE_KIND_LABELS: Record<UpdateKind, string> = {
  note: 'Note',
  reminder_sent: 'Reminder sent',
  contacted: 'Customer contacted',
  promise_to_pay: 'Promise to pay',
  dispute_opened: 'Dispute opened',
  dispute_resolved: 'Dispute resolved',
  payment_received: 'Payment received',
  escalated: 'Escalated to collections',
  written_off: 'Written off',
};

/** Whether an update of this kind is about one invoice; the others may be about the whole account. */
export const KIND_NEEDS_INVOICE: Record<UpdateKind, boolean> = {
  note: false,
  reminder_sent: false,
  contacted: false,
  promise_to_pay: true,
  dispute_opened: true,
  dispute_resolved: true,
  payment_received: true,
  escalated: false,
  written_off: true,
};

export function isUpdateKind(value: string): value is UpdateKind {
  return (UPDATE_KINDS as readonly string[]).includes(value);
}
