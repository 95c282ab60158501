/**
 * The weekly digest's figures, as pure functions of what the database returned for one reader (a
 * manager's team, or everyone for the finance channel) and the week it covers. Amounts are summed
 * per currency and never across currencies; a week with nothing in it gives zeros and nulls, never
 * a division by zero.
 */
import {
  AGING_BUCKETS,
  type AgingBucket,
  agingBucket,
  daysPastDue,
  disputeReasonLabel,
  emptyAging,
} from './collections.ts';
import { dayIn } from './dates.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** DSO counts sales over this many days (13 weeks). */
export const DSO_DAYS = 91;
/** The DSO trend has a point a week for this many weeks, the newest last. */
export const DSO_POINTS = 8;

export interface CurrencyAmount {
  currency: string;
  cents: number;
}

/** The week a digest covers: [start, end), and the business day `end` falls on. */
export interface DigestWeek {
  start: Date;
  end: Date;
  /** 'YYYY-MM-DD' in BUSINESS_TIMEZONE at `end`: "today" for due dates. */
  today: string;
}

export function digestWeek(end: Date, businessTimeZone: string): DigestWeek {
  return { start: new Date(end.getTime() - 7 * DAY_MS), end, today: dayIn(businessTimeZone, end) };
}

/** A deal closed in the week, or whose handoff was completed in it. */
export interface HandoffFact {
  dealId: number;
  ownerUserId: string | null;
  closedAt: Date;
  /** When its handoff became complete; null while it is not. */
  completedAt: Date | null;
}

/** Open invoices with one due date, of one owner and currency. */
export interface OpenInvoiceFact {
  ownerUserId: string | null;
  currency: string;
  /** 'YYYY-MM-DD' */
  dueOn: string;
  balanceCents: number;
  count: number;
}

export interface PaymentFact {
  currency: string;
  amountCents: number;
  at: Date;
}

export interface DisputeFact {
  reason: string | null;
  at: Date;
}

/** Non-void invoices issued on one day in one currency: what they were for, and what is still open. */
export interface IssuedFact {
  currency: string;
  /** 'YYYY-MM-DD' */
  issuedOn: string;
  amountCents: number;
  balanceCents: number;
}

/** A payment on a non-void invoice, with the invoice's issue day (to know whether it was billed yet). */
export interface DsoPaymentFact {
  currency: string;
  issuedOn: string;
  amountCents: number;
  at: Date;
}

export interface DigestInputs {
  week: DigestWeek;
  businessTimeZone: string;
  handoffs: readonly HandoffFact[];
  /** Deals waiting for a complete handoff, per owning rep. */
  incomplete: ReadonlyArray<{ ownerUserId: string | null; count: number }>;
  open: readonly OpenInvoiceFact[];
  payments: readonly PaymentFact[];
  disputes: readonly DisputeFact[];
  issued: readonly IssuedFact[];
  dsoPayments: readonly DsoPaymentFact[];
}

export interface HandoffFigures {
  /** Deals closed in the week. */
  closed: number;
  /** Handoffs completed in the week (whenever their deal closed). */
  completed: number;
  /** Of the deals closed in the week, how many have a complete handoff by its end. */
  closedAndCompleted: number;
  /** closedAndCompleted / closed; null when nothing closed. */
  completionRate: number | null;
  /** Median hours from close to complete of the handoffs completed in the week; null when none. */
  medianHoursToComplete: number | null;
  incompleteByRep: Array<{ userId: string | null; count: number }>;
}

export interface OverdueByRep {
  userId: string | null;
  amounts: CurrencyAmount[];
  count: number;
  /** The oldest due date of their customers' overdue invoices, and how late it is. */
  oldestDueOn: string;
  oldestDaysLate: number;
}

export interface DisputeFigures {
  total: number;
  byReason: Array<{ reason: string; label: string; count: number }>;
  /** The "discount missing or wrong" count: what the handoff should have caught. */
  discountMissing: number;
}

export interface DsoFigures {
  currency: string;
  /** Days sales outstanding at the week's end; null without sales in the 13 weeks before. */
  days: number | null;
  weekAgo: number | null;
  /** days − weekAgo (negative: collecting faster). */
  change: number | null;
  /** One point a week, oldest first, the last at the week's end. */
  series: Array<{ day: string; days: number | null }>;
}

export interface DigestFigures {
  week: DigestWeek;
  handoffs: HandoffFigures;
  overdueByRep: OverdueByRep[];
  overdueTotal: CurrencyAmount[];
  collected: CurrencyAmount[];
  disputes: DisputeFigures;
  dso: DsoFigures[];
  aging: Array<{ currency: string; buckets: Record<AgingBucket, number> }>;
}

const inWeek = (at: Date, week: DigestWeek) => at >= week.start && at < week.end;

/** Adds amounts up per currency; the result is sorted by currency and has no zero entries. */
export function sumByCurrency(items: Iterable<{ currency: string; cents: number }>): CurrencyAmount[] {
  const totals = new Map<string, number>();
  for (const { currency, cents } of items) totals.set(currency, (totals.get(currency) ?? 0) + cents);
  return [...totals]
    .filter(([, cents]) => cents !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, cents]) => ({ currency, cents }));
}

/** The median of the values; null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function handoffFigures(
  inputs: Pick<DigestInputs, 'week' | 'handoffs' | 'incomplete'>,
): HandoffFigures {
  const { week } = inputs;
  const closed = inputs.handoffs.filter((h) => inWeek(h.closedAt, week));
  const completed = inputs.handoffs.filter((h) => h.completedAt !== null && inWeek(h.completedAt, week));
  const closedAndCompleted = closed.filter((h) => h.completedAt !== null && h.completedAt < week.end).length;
  const hours = completed.map((h) =>
    Math.max(0, ((h.completedAt as Date).getTime() - h.closedAt.getTime()) / HOUR_MS),
  );
  const byRep = new Map<string | null, number>();
  for (const r of inputs.incomplete) byRep.set(r.ownerUserId, (byRep.get(r.ownerUserId) ?? 0) + r.count);
  return {
    closed: closed.length,
    completed: completed.length,
    closedAndCompleted,
    completionRate: closed.length === 0 ? null : closedAndCompleted / closed.length,
    medianHoursToComplete: median(hours),
    incompleteByRep: [...byRep]
      .filter(([, count]) => count > 0)
      .map(([userId, count]) => ({ userId, count }))
      .sort((a, b) => b.count - a.count || String(a.userId).localeCompare(String(b.userId))),
  };
}

/** Overdue invoices (due before the week's business day), per owning rep: most late first. */
export function overdueByRep(open: readonly OpenInvoiceFact[], today: string): OverdueByRep[] {
  const byRep = new Map<string | null, OpenInvoiceFact[]>();
  for (const fact of open) {
    if (fact.dueOn >= today || fact.count === 0) continue;
    byRep.set(fact.ownerUserId, [...(byRep.get(fact.ownerUserId) ?? []), fact]);
  }
  return [...byRep]
    .map(([userId, facts]) => {
      const oldestDueOn = facts.map((f) => f.dueOn).sort()[0] as string;
      return {
        userId,
        amounts: sumByCurrency(facts.map((f) => ({ currency: f.currency, cents: f.balanceCents }))),
        count: facts.reduce((n, f) => n + f.count, 0),
        oldestDueOn,
        oldestDaysLate: daysPastDue(oldestDueOn, today),
      };
    })
    .sort((a, b) => b.oldestDaysLate - a.oldestDaysLate || b.count - a.count);
}

export function disputeFigures(disputes: readonly DisputeFact[], week: DigestWeek): DisputeFigures {
  const counts = new Map<string, number>();
  let total = 0;
  for (const d of disputes) {
    if (!inWeek(d.at, week)) continue;
    const reason = d.reason ?? 'other';
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
    total += 1;
  }
  return {
    total,
    byReason: [...counts]
      .map(([reason, count]) => ({ reason, label: disputeReasonLabel(reason), count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    discountMissing: counts.get('discount_missing_or_wrong') ?? 0,
  };
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Days sales outstanding per currency, a point a week: receivables open at the end of a day
 * (what is open now, plus what was paid after that day, on invoices issued by then) over the
 * sales of the 91 days up to it, times 91.
 */
export function dsoFigures(
  inputs: Pick<DigestInputs, 'week' | 'issued' | 'dsoPayments' | 'businessTimeZone'>,
): DsoFigures[] {
  const currencies = [...new Set([...inputs.issued, ...inputs.dsoPayments].map((f) => f.currency))].sort();
  const points = Array.from({ length: DSO_POINTS }, (_, i) =>
    addDays(inputs.week.today, -7 * (DSO_POINTS - 1 - i)),
  );
  const payments = inputs.dsoPayments.map((p) => ({ ...p, day: dayIn(inputs.businessTimeZone, p.at) }));
  return currencies.map((currency) => {
    const issued = inputs.issued.filter((f) => f.currency === currency);
    const paid = payments.filter((p) => p.currency === currency);
    const series = points.map((day) => {
      const from = addDays(day, -DSO_DAYS);
      const open =
        issued.filter((f) => f.issuedOn <= day).reduce((n, f) => n + f.balanceCents, 0) +
        paid.filter((p) => p.issuedOn <= day && p.day > day).reduce((n, p) => n + p.amountCents, 0);
      const sales = issued
        .filter((f) => f.issuedOn > from && f.issuedOn <= day)
        .reduce((n, f) => n + f.amountCents, 0);
      return { day, days: sales > 0 ? Math.round((open / sales) * DSO_DAYS * 10) / 10 : null };
    });
    const days = series.at(-1)?.days ?? null;
    const weekAgo = series.at(-2)?.days ?? null;
    return {
      currency,
      days,
      weekAgo,
      change: days === null || weekAgo === null ? null : Math.round((days - weekAgo) * 10) / 10,
      series,
    };
  });
}

export function agingFigures(
  open: readonly OpenInvoiceFact[],
  today: string,
): Array<{ currency: string; buckets: Record<AgingBucket, number> }> {
  const byCurrency = new Map<string, Record<AgingBucket, number>>();
  for (const fact of open) {
    const buckets = byCurrency.get(fact.currency) ?? emptyAging();
    buckets[agingBucket(daysPastDue(fact.dueOn, today))] += fact.balanceCents;
    byCurrency.set(fact.currency, buckets);
  }
  return [...byCurrency]
    .filter(([, b]) => AGING_BUCKETS.some((k) => b[k] !== 0))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([currency, buckets]) => ({ currency, buckets }));
}

/** Every figure of one digest. */
export function digestFigures(inputs: DigestInputs): DigestFigures {
  const { week } = inputs;
  const overdue = overdueByRep(inputs.open, week.today);
  return {
    week,
    handoffs: handoffFigures(inputs),
    overdueByRep: overdue,
    overdueTotal: sumByCurrency(overdue.flatMap((r) => r.amounts)),
    collected: sumByCurrency(
      inputs.payments
        .filter((p) => inWeek(p.at, week))
        .map((p) => ({ currency: p.currency, cents: p.amountCents })),
    ),
    disputes: disputeFigures(inputs.disputes, week),
    dso: dsoFigures(inputs),
    aging: agingFigures(inputs.open, week.today),
  };
}

/** The currency with the most open receivables (the aging chart's), or null when nothing is open. */
export function mainCurrency(aging: DigestFigures['aging']): string | null {
  let best: { currency: string; total: number } | null = null;
  for (const a of aging) {
    const total = AGING_BUCKETS.reduce((n, k) => n + a.buckets[k], 0);
    if (!best || total > best.total) best = { currency: a.currency, total };
  }
  return best?.currency ?? null;
}
