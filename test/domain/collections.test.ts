import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGING_BUCKETS,
  AGING_LABELS,
  type AgingBucket,
  agingBucket,
  agingTotals,
  type CreditHoldInput,
  creditHoldReasons,
  DISPUTE_REASONS,
  daysBetween,
  daysPastDue,
  disputeReasonLabel,
  escalationNear,
  holdLine,
  type InvoicePingState,
  isDisputeReason,
  isUpdateKind,
  KIND_NEEDS_INVOICE,
  nextThresholdAbove,
  onCreditHold,
  type PingDecision,
  pingDecision,
  thresholdToPing,
  UPDATE_KIND_LABELS,
  UPDATE_KINDS,
} from '../../src/domain/collections.ts';

const DEFAULT_THRESHOLDS = [1, 15, 30, 45, 60] as const;
const TODAY = '2026-03-10';

/** `day` moved by `n` calendar days (independent of the code under test). */
function addDays(day: string, n: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

const dayArb = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

/** Sorted, unique, positive thresholds, like PAST_DUE_DAYS. */
const thresholdsArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 8 })
  .map((ts) => [...ts].sort((a, b) => a - b));

function openInvoice(overrides: Partial<InvoicePingState> = {}): InvoicePingState {
  return {
    status: 'open',
    balanceCents: 120_000,
    dueOn: '2026-03-01',
    disputeState: 'none',
    pingedThreshold: 0,
    promiseDate: null,
    promiseBrokenPinged: false,
    ...overrides,
  };
}

/** What the sweep records after sending a ping. */
function afterPing(inv: InvoicePingState, decision: NonNullable<PingDecision>): InvoicePingState {
  return decision.kind === 'past_due'
    ? { ...inv, pingedThreshold: decision.threshold }
    : { ...inv, promiseBrokenPinged: true };
}

/** Runs `sweeps` sweeps on each day from `from` for `count` days; returns every ping sent, with its day. */
function simulate(
  start: InvoicePingState,
  from: string,
  count: number,
  thresholds: readonly number[],
  sweeps = 2,
): { day: string; decision: NonNullable<PingDecision> }[] {
  let inv = start;
  const sent: { day: string; decision: NonNullable<PingDecision> }[] = [];
  for (let i = 0; i < count; i++) {
    const day = addDays(from, i);
    for (let s = 0; s < sweeps; s++) {
      const decision = pingDecision(inv, day, thresholds);
      if (decision === null) continue;
      sent.push({ day, decision });
      inv = afterPing(inv, decision);
    }
  }
  return sent;
}

describe('daysBetween and daysPastDue', () => {
  it('counts calendar days, across months, leap days and DST changes', () => {
    expect(daysBetween('2026-03-01', '2026-03-02')).toBe(1);
    expect(daysBetween('2026-03-02', '2026-03-01')).toBe(-1);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2026-03-07', '2026-03-09')).toBe(2);
    expect(daysBetween('2025-12-31', '2026-12-31')).toBe(365);
  });

  it('is 0 until the invoice is late', () => {
    expect(daysPastDue('2026-03-10', TODAY)).toBe(0);
    expect(daysPastDue('2026-03-09', TODAY)).toBe(1);
    expect(daysPastDue('2026-04-01', TODAY)).toBe(0);
    expect(daysPastDue('2026-01-09', TODAY)).toBe(60);
  });

  it('refuses text that is not a calendar day, every time it is asked', () => {
    for (let i = 0; i < 2; i++) {
      expect(() => daysBetween('2026-02-30', TODAY)).toThrow(RangeError);
      expect(() => daysPastDue('yesterday', TODAY)).toThrow(RangeError);
    }
  });

  it('counts the same on days it has read before as on new ones, however many it has read', () => {
    const days = Array.from({ length: 12_000 }, (_, i) => addDays('2000-01-01', i));
    for (const [i, day] of days.entries()) expect(daysBetween('2000-01-01', day)).toBe(i);
    for (const [i, day] of days.entries()) expect(daysBetween(day, '2000-01-01') + i).toBe(0);
  });

  it('agrees with moving a day by n days', () => {
    fc.assert(
      fc.property(dayArb, fc.integer({ min: -1000, max: 1000 }), (day, n) => {
        expect(daysBetween(day, addDays(day, n))).toBe(n);
        expect(daysPastDue(day, addDays(day, n))).toBe(Math.max(0, n));
      }),
    );
  });
});

describe('aging', () => {
  it('puts days late into the five buckets', () => {
    const cases: [number, AgingBucket][] = [
      [-5, 'current'],
      [0, 'current'],
      [1, '1_30'],
      [30, '1_30'],
      [31, '31_60'],
      [60, '31_60'],
      [61, '61_90'],
      [90, '61_90'],
      [91, '90_plus'],
      [10_000, '90_plus'],
    ];
    for (const [late, bucket] of cases) expect(agingBucket(late)).toBe(bucket);
    expect(AGING_BUCKETS.map((b) => AGING_LABELS[b])).toEqual(['Current', '1–30', '31–60', '61–90', '90+']);
  });

  it('partitions the integers: each falls in exactly one bucket, in order', () => {
    const ranges: Record<AgingBucket, [number, number]> = {
      current: [Number.NEGATIVE_INFINITY, 0],
      '1_30': [1, 30],
      '31_60': [31, 60],
      '61_90': [61, 90],
      '90_plus': [91, Number.POSITIVE_INFINITY],
    };
    fc.assert(
      fc.property(fc.integer({ min: -10_000, max: 10_000 }), fc.nat(100), (n, k) => {
        const containing = AGING_BUCKETS.filter((b) => n >= ranges[b][0] && n <= ranges[b][1]);
        expect(containing).toEqual([agingBucket(n)]);
        expect(AGING_BUCKETS.indexOf(agingBucket(n + k))).toBeGreaterThanOrEqual(
          AGING_BUCKETS.indexOf(agingBucket(n)),
        );
      }),
    );
  });

  it('totals balances per currency and bucket, never across currencies', () => {
    const totals = agingTotals(
      [
        { balanceCents: 100, currency: 'USD', dueOn: '2026-03-10' },
        { balanceCents: 200, currency: 'USD', dueOn: '2026-03-01' },
        { balanceCents: 300, currency: 'USD', dueOn: '2026-02-20' },
        { balanceCents: 5_000, currency: 'EUR', dueOn: '2025-10-01' },
        { balanceCents: 7, currency: 'USD', dueOn: '2025-10-01' },
      ],
      TODAY,
    );
    expect(Object.fromEntries(totals)).toEqual({
      USD: { current: 100, '1_30': 500, '31_60': 0, '61_90': 0, '90_plus': 7 },
      EUR: { current: 0, '1_30': 0, '31_60': 0, '61_90': 0, '90_plus': 5_000 },
    });
    expect(agingTotals([], TODAY).size).toBe(0);
  });

  it('keeps every currency’s total', () => {
    const invoice = fc.record({
      balanceCents: fc.integer({ min: 0, max: 10_000_000 }),
      currency: fc.constantFrom('USD', 'EUR', 'JPY'),
      dueOn: dayArb,
    });
    fc.assert(
      fc.property(fc.array(invoice), dayArb, (invoices, today) => {
        const totals = agingTotals(invoices, today);
        for (const currency of ['USD', 'EUR', 'JPY']) {
          const mine = invoices.filter((i) => i.currency === currency);
          const buckets = totals.get(currency);
          expect(buckets === undefined).toBe(mine.length === 0);
          const sum = Object.values(buckets ?? {}).reduce((a, b) => a + b, 0);
          expect(sum).toBe(mine.reduce((a, i) => a + i.balanceCents, 0));
        }
      }),
    );
  });
});

describe('thresholdToPing', () => {
  it('pings the highest threshold reached that was not pinged yet', () => {
    expect(thresholdToPing(0, DEFAULT_THRESHOLDS, 0)).toBeNull();
    expect(thresholdToPing(1, DEFAULT_THRESHOLDS, 0)).toBe(1);
    expect(thresholdToPing(14, DEFAULT_THRESHOLDS, 1)).toBeNull();
    expect(thresholdToPing(15, DEFAULT_THRESHOLDS, 1)).toBe(15);
    expect(thresholdToPing(20, DEFAULT_THRESHOLDS, 0)).toBe(15);
    expect(thresholdToPing(20, DEFAULT_THRESHOLDS, 15)).toBeNull();
    expect(thresholdToPing(400, DEFAULT_THRESHOLDS, 15)).toBe(60);
    expect(thresholdToPing(400, DEFAULT_THRESHOLDS, 60)).toBeNull();
    expect(thresholdToPing(5, [], 0)).toBeNull();
  });

  it('returns one threshold: reached, above the pinged one, and the highest such', () => {
    fc.assert(
      fc.property(thresholdsArb, fc.integer({ min: -10, max: 400 }), fc.nat(250), (ts, late, pinged) => {
        const t = thresholdToPing(late, ts, pinged);
        const candidates = ts.filter((x) => x <= late && x > pinged);
        expect(t).toBe(candidates.length > 0 ? Math.max(...candidates) : null);
      }),
    );
  });

  it('over days 0..400 with repeated sweeps, pings each threshold at most once and never goes back', () => {
    fc.assert(
      fc.property(
        thresholdsArb,
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 3 }),
        (ts, d, n) => {
          let pinged = 0;
          const sent: { day: number; threshold: number }[] = [];
          for (let day = d; day <= 400; day++) {
            for (let sweep = 0; sweep < n; sweep++) {
              const t = thresholdToPing(day, ts, pinged);
              if (t === null) continue;
              expect(t).toBeGreaterThan(pinged);
              sent.push({ day, threshold: t });
              pinged = t;
            }
          }
          const thresholds = sent.map((s) => s.threshold);
          expect(new Set(thresholds).size).toBe(thresholds.length);
          expect(thresholds).toEqual([...thresholds].sort((a, b) => a - b));
          // First seen d days late: exactly one ping at once, for the highest threshold ≤ d.
          const reached = ts.filter((x) => x <= d);
          const first = sent.filter((s) => s.day === d);
          expect(first.map((s) => s.threshold)).toEqual(reached.length > 0 ? [Math.max(...reached)] : []);
          // After that, every later threshold is pinged on its own day.
          expect(sent.filter((s) => s.day > d)).toEqual(
            ts.filter((x) => x > d && x <= 400).map((x) => ({ day: x, threshold: x })),
          );
        },
      ),
    );
  });
});

describe('nextThresholdAbove', () => {
  it('is the next threshold after the last one pinged', () => {
    expect(nextThresholdAbove(0, DEFAULT_THRESHOLDS)).toBe(1);
    expect(nextThresholdAbove(15, DEFAULT_THRESHOLDS)).toBe(30);
    expect(nextThresholdAbove(20, DEFAULT_THRESHOLDS)).toBe(30);
    expect(nextThresholdAbove(60, DEFAULT_THRESHOLDS)).toBeNull();
  });
});

describe('pingDecision', () => {
  it('pings an open, late invoice for the threshold it reached', () => {
    expect(pingDecision(openInvoice({ dueOn: '2026-02-18' }), TODAY, DEFAULT_THRESHOLDS)).toEqual({
      kind: 'past_due',
      threshold: 15,
      daysLate: 20,
    });
    expect(pingDecision(openInvoice({ dueOn: '2026-03-10' }), TODAY, DEFAULT_THRESHOLDS)).toBeNull();
    expect(
      pingDecision(openInvoice({ dueOn: '2026-02-18', pingedThreshold: 15 }), TODAY, DEFAULT_THRESHOLDS),
    ).toBeNull();
  });

  it('ignores paid and void invoices and those without a balance', () => {
    const late = { dueOn: '2025-01-01' };
    expect(pingDecision(openInvoice({ ...late, status: 'paid' }), TODAY, DEFAULT_THRESHOLDS)).toBeNull();
    expect(pingDecision(openInvoice({ ...late, status: 'void' }), TODAY, DEFAULT_THRESHOLDS)).toBeNull();
    expect(pingDecision(openInvoice({ ...late, balanceCents: 0 }), TODAY, DEFAULT_THRESHOLDS)).toBeNull();
    expect(pingDecision(openInvoice({ ...late, balanceCents: -5 }), TODAY, DEFAULT_THRESHOLDS)).toBeNull();
  });

  it('pauses while a dispute is open and resumes once it is resolved', () => {
    const late = openInvoice({ dueOn: '2026-01-01' });
    expect(pingDecision({ ...late, disputeState: 'open' }, TODAY, DEFAULT_THRESHOLDS)).toBeNull();
    expect(
      pingDecision({ ...late, disputeState: 'open', promiseDate: '2026-03-01' }, TODAY, DEFAULT_THRESHOLDS),
    ).toBeNull();
    expect(pingDecision({ ...late, disputeState: 'resolved' }, TODAY, DEFAULT_THRESHOLDS)).toEqual({
      kind: 'past_due',
      threshold: 60,
      daysLate: 68,
    });
  });

  it('pauses through the promised day, then pings the broken promise once, then resumes', () => {
    const promised = openInvoice({ dueOn: '2026-02-01', pingedThreshold: 15, promiseDate: '2026-03-10' });
    expect(pingDecision(promised, TODAY, DEFAULT_THRESHOLDS)).toBeNull();
    const dayAfter = addDays(TODAY, 1);
    expect(pingDecision(promised, dayAfter, DEFAULT_THRESHOLDS)).toEqual({
      kind: 'broken_promise',
      promiseDate: '2026-03-10',
      daysLate: 38,
    });
    expect(pingDecision({ ...promised, promiseBrokenPinged: true }, dayAfter, DEFAULT_THRESHOLDS)).toEqual({
      kind: 'past_due',
      threshold: 30,
      daysLate: 38,
    });
  });

  it('never pings while a dispute is open', () => {
    const state = fc.record({
      status: fc.constantFrom('open' as const, 'paid' as const, 'void' as const),
      balanceCents: fc.integer({ min: -100, max: 1_000_000 }),
      dueOn: dayArb,
      disputeState: fc.constant('open' as const),
      pingedThreshold: fc.nat(100),
      promiseDate: fc.option(dayArb, { nil: null }),
      promiseBrokenPinged: fc.boolean(),
    });
    fc.assert(
      fc.property(state, dayArb, thresholdsArb, (inv, today, ts) => {
        expect(pingDecision(inv, today, ts)).toBeNull();
      }),
    );
  });

  it('a promise pauses pings until its day; a broken promise pings exactly once, then thresholds resume', () => {
    fc.assert(
      fc.property(
        thresholdsArb,
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: -30, max: 200 }),
        (ts, seenLate, promiseIn) => {
          const firstDay = '2026-01-01';
          const promiseDate = addDays(firstDay, promiseIn);
          const inv = openInvoice({ dueOn: addDays(firstDay, -seenLate), promiseDate });
          const sent = simulate(inv, firstDay, 400, ts);
          const broken = sent.filter((s) => s.decision.kind === 'broken_promise');
          expect(broken).toHaveLength(1);
          const brokenDay = promiseIn < 0 ? firstDay : addDays(promiseDate, 1);
          expect(broken[0]?.day).toBe(brokenDay);
          expect(sent.filter((s) => s.day <= promiseDate)).toEqual([]);
          // Past-due pings only after the broken promise was told, at most one per threshold, increasing.
          const pastDue = sent.filter((s) => s.decision.kind === 'past_due');
          expect(pastDue.every((s) => s.day >= brokenDay)).toBe(true);
          const thresholds = pastDue.map((s) => (s.decision.kind === 'past_due' ? s.decision.threshold : 0));
          expect(new Set(thresholds).size).toBe(thresholds.length);
          expect(thresholds).toEqual([...thresholds].sort((a, b) => a - b));
        },
      ),
    );
  });
});

describe('escalationNear', () => {
  it('is true from the escalation day on', () => {
    expect(escalationNear(44, 45)).toBe(false);
    expect(escalationNear(45, 45)).toBe(true);
    expect(escalationNear(90, 45)).toBe(true);
  });
});

describe('credit hold', () => {
  const policy = { creditHoldDays: 60 };
  const account = (overrides: Partial<CreditHoldInput> = {}): CreditHoldInput => ({
    openInvoices: [],
    creditLimitCents: 1_000_000,
    creditLimitCurrency: 'USD',
    ...overrides,
  });

  it('holds an account with an invoice past the hold threshold', () => {
    const invoices = [
      { number: 'INV-1', balanceCents: 100, currency: 'USD', dueOn: addDays(TODAY, -61) },
      { number: 'INV-2', balanceCents: 100, currency: 'USD', dueOn: addDays(TODAY, -59) },
      { number: 'INV-3', balanceCents: 0, currency: 'USD', dueOn: addDays(TODAY, -300) },
    ];
    expect(creditHoldReasons(account({ openInvoices: invoices }), TODAY, policy)).toEqual([
      'INV-1 is 61 days past due',
    ]);
    expect(
      creditHoldReasons(account({ openInvoices: invoices }), TODAY, { creditHoldDays: 1 }).slice(0, 2),
    ).toEqual(['INV-1 is 61 days past due', 'INV-2 is 59 days past due']);
  });

  it('holds an account whose open balance in the limit’s currency exceeds the limit', () => {
    const invoices = [
      { number: 'INV-1', balanceCents: 700_000, currency: 'USD', dueOn: TODAY },
      { number: 'INV-2', balanceCents: 500_000, currency: 'USD', dueOn: TODAY },
      { number: 'INV-3', balanceCents: 9_000_000, currency: 'EUR', dueOn: TODAY },
    ];
    expect(creditHoldReasons(account({ openInvoices: invoices }), TODAY, policy)).toEqual([
      'open balance $12,000.00 exceeds the credit limit of $10,000.00',
    ]);
    expect(onCreditHold(account({ openInvoices: invoices.slice(0, 1) }), TODAY, policy)).toBe(false);
    expect(onCreditHold(account({ openInvoices: invoices.slice(2) }), TODAY, policy)).toBe(false);
    const exactly = [{ number: 'INV-4', balanceCents: 1_000_000, currency: 'USD', dueOn: TODAY }];
    expect(onCreditHold(account({ openInvoices: exactly }), TODAY, policy)).toBe(false);
    const noLimit = account({ openInvoices: invoices, creditLimitCents: null, creditLimitCurrency: null });
    expect(creditHoldReasons(noLimit, TODAY, policy)).toEqual([]);
  });

  const holdInvoice = fc.record({
    number: fc.string({ minLength: 1, maxLength: 10 }),
    balanceCents: fc.integer({ min: -1_000, max: 2_000_000 }),
    currency: fc.constantFrom('USD', 'EUR'),
    dueOn: dayArb,
  });
  const holdInput: fc.Arbitrary<CreditHoldInput> = fc.record({
    openInvoices: fc.array(holdInvoice, { maxLength: 6 }),
    creditLimitCents: fc.option(fc.integer({ min: 0, max: 5_000_000 }), { nil: null }),
    creditLimitCurrency: fc.constantFrom('USD', 'EUR'),
  });
  const policyArb = fc.record({ creditHoldDays: fc.integer({ min: 1, max: 120 }) });

  it('gives the same reasons from the invoices due on or before the hold line and the owing balance alone', () => {
    fc.assert(
      fc.property(holdInput, dayArb, policyArb, (input, today, policy) => {
        const line = holdLine(today, policy);
        const weighed: CreditHoldInput = {
          ...input,
          openInvoices: input.openInvoices.filter((i) => i.dueOn <= line && i.balanceCents > 0),
          owingInLimitCurrency: input.openInvoices
            .filter((i) => i.currency === input.creditLimitCurrency && i.balanceCents > 0)
            .reduce((sum, i) => sum + i.balanceCents, 0),
        };
        expect(creditHoldReasons(weighed, today, policy)).toEqual(creditHoldReasons(input, today, policy));
        for (const invoice of input.openInvoices)
          expect(invoice.dueOn <= line).toBe(daysPastDue(invoice.dueOn, today) >= policy.creditHoldDays);
      }),
    );
    expect(holdLine('2026-03-10', { creditHoldDays: 60 })).toBe('2026-01-09');
    expect(holdLine('2026-03-10', { creditHoldDays: 0 })).toBe('9999-12-31');
  });

  it('is on hold exactly when there is a reason, and stays on as days pass or balances grow', () => {
    fc.assert(
      fc.property(
        holdInput,
        dayArb,
        policyArb,
        fc.nat(200),
        fc.nat(1_000_000),
        (input, today, policy, later, more) => {
          const on = onCreditHold(input, today, policy);
          expect(on).toBe(creditHoldReasons(input, today, policy).length > 0);
          if (!on) return;
          expect(onCreditHold(input, addDays(today, later), policy)).toBe(true);
          const grown = input.openInvoices.map((i) => ({ ...i, balanceCents: i.balanceCents + more }));
          expect(onCreditHold({ ...input, openInvoices: grown }, today, policy)).toBe(true);
        },
      ),
    );
  });
});

describe('collection update vocabulary', () => {
  it('lists the dispute reasons from the product with stable values', () => {
    expect(DISPUTE_REASONS.map((r) => r.value)).toEqual([
      'pricing_error',
      'discount_missing_or_wrong',
      'po_missing_or_wrong',
      'wrong_billing_entity_or_contact',
      'goods_or_service_issue',
      'duplicate_invoice',
      'terms_disagreement',
      'invoice_not_received',
      'other',
    ]);
    expect(disputeReasonLabel('goods_or_service_issue')).toBe(
      'Goods or service not received or unsatisfactory',
    );
    expect(disputeReasonLabel('mystery')).toBe('mystery');
    expect(isDisputeReason('pricing_error')).toBe(true);
    expect(isDisputeReason('Pricing error')).toBe(false);
  });

  it('labels every update kind and says which need an invoice', () => {
    expect(UPDATE_KINDS.map((k) => UPDATE_KIND_LABELS[k])).toEqual([
      'Note',
      'Reminder sent',
      'Customer contacted',
      'Promise to pay',
      'Dispute opened',
      'Dispute resolved',
      'Payment received',
      'Escalated to collections',
      'Written off',
    ]);
    expect(UPDATE_KINDS.filter((k) => KIND_NEEDS_INVOICE[k])).toEqual([
      'promise_to_pay',
      'dispute_opened',
      'dispute_resolved',
      'payment_received',
      'written_off',
    ]);
    expect(isUpdateKind('escalated')).toBe(true);
    expect(isUpdateKind('toString')).toBe(false);
  });
});
