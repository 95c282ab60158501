import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGING_BUCKETS } from '../../src/domain/collections.ts';
import {
  type DigestInputs,
  DSO_DAYS,
  DSO_POINTS,
  digestFigures,
  digestWeek,
  dsoFigures,
  handoffFigures,
  mainCurrency,
  median,
  overdueByRep,
  sumByCurrency,
} from '../../src/domain/digest.ts';

/** Fixed now: every property is about the week to Monday 7 December 2026, 08:00 UTC. */
const END = new Date('2026-12-07T08:00:00Z');
const week = digestWeek(END, 'UTC');
const DAY = 86_400_000;
const HOUR = 3_600_000;

const currency = fc.constantFrom('USD', 'EUR', 'JPY', 'GBP');
const rep = fc.constantFrom('U0A', 'U0B', 'U0C', null);
const cents = fc.integer({ min: 0, max: 10_000_000_000 });
const day = fc
  .integer({ min: -400, max: 60 })
  .map((d) => new Date(END.getTime() + d * DAY).toISOString().slice(0, 10));
const instant = fc.integer({ min: -60 * DAY, max: 2 * DAY }).map((ms) => new Date(END.getTime() + ms));

const empty: DigestInputs = {
  week,
  businessTimeZone: 'UTC',
  handoffs: [],
  incomplete: [],
  open: [],
  payments: [],
  disputes: [],
  issued: [],
  dsoPayments: [],
};

const inputs: fc.Arbitrary<DigestInputs> = fc.record({
  week: fc.constant(week),
  businessTimeZone: fc.constant('UTC'),
  handoffs: fc.array(
    fc
      .record({
        dealId: fc.nat(),
        ownerUserId: rep,
        closedAt: instant,
        hoursToComplete: fc.option(fc.double({ min: 0, max: 500, noNaN: true }), { nil: null }),
      })
      .map(({ hoursToComplete, ...h }) => ({
        ...h,
        completedAt:
          hoursToComplete === null ? null : new Date(h.closedAt.getTime() + hoursToComplete * HOUR),
      })),
    { maxLength: 30 },
  ),
  incomplete: fc.array(fc.record({ ownerUserId: rep, count: fc.integer({ min: 0, max: 20 }) }), {
    maxLength: 6,
  }),
  open: fc.array(
    fc.record({
      ownerUserId: rep,
      currency,
      dueOn: day,
      balanceCents: cents,
      count: fc.integer({ min: 1, max: 5 }),
    }),
    { maxLength: 30 },
  ),
  payments: fc.array(fc.record({ currency, amountCents: cents, at: instant }), { maxLength: 30 }),
  disputes: fc.array(
    fc.record({
      reason: fc.constantFrom('discount_missing_or_wrong', 'pricing_error', 'other', null),
      at: instant,
    }),
    { maxLength: 20 },
  ),
  issued: fc.array(
    fc
      .record({ currency, issuedOn: day, amountCents: cents })
      .chain((f) =>
        fc.integer({ min: 0, max: f.amountCents }).map((balanceCents) => ({ ...f, balanceCents })),
      ),
    { maxLength: 30 },
  ),
  dsoPayments: fc.array(fc.record({ currency, issuedOn: day, amountCents: cents, at: instant }), {
    maxLength: 20,
  }),
});

describe('sums per currency', () => {
  it('never mixes currencies: each total is the sum of that currency’s amounts alone', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ currency, cents: fc.integer({ min: -1e9, max: 1e9 }) })), (items) => {
        const totals = sumByCurrency(items);
        for (const t of totals) {
          expect(t.cents).toBe(
            items.filter((i) => i.currency === t.currency).reduce((n, i) => n + i.cents, 0),
          );
        }
        const listed = new Set(totals.map((t) => t.currency));
        expect(listed.size).toBe(totals.length);
        for (const c of new Set(items.map((i) => i.currency))) {
          const sum = items.filter((i) => i.currency === c).reduce((n, i) => n + i.cents, 0);
          expect(listed.has(c)).toBe(sum !== 0);
        }
        expect(totals.map((t) => t.currency)).toEqual([...listed].sort());
      }),
    );
  });

  it('every amount in the figures is a sum over one currency: overdue, collected, aging', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const f = digestFigures(i);
        const overdue = i.open.filter((o) => o.dueOn < week.today);
        for (const t of f.overdueTotal)
          expect(t.cents).toBe(
            overdue.filter((o) => o.currency === t.currency).reduce((n, o) => n + o.balanceCents, 0),
          );
        for (const r of f.overdueByRep)
          for (const a of r.amounts)
            expect(a.cents).toBe(
              overdue
                .filter((o) => o.currency === a.currency && o.ownerUserId === r.userId)
                .reduce((n, o) => n + o.balanceCents, 0),
            );
        const paid = i.payments.filter((p) => p.at >= week.start && p.at < week.end);
        for (const t of f.collected)
          expect(t.cents).toBe(
            paid.filter((p) => p.currency === t.currency).reduce((n, p) => n + p.amountCents, 0),
          );
        for (const a of f.aging) {
          const total = AGING_BUCKETS.reduce((n, b) => n + a.buckets[b], 0);
          expect(total).toBe(
            i.open.filter((o) => o.currency === a.currency).reduce((n, o) => n + o.balanceCents, 0),
          );
        }
      }),
    );
  });
});

describe('medians', () => {
  it('has as many values at or below it as at or above it, and lies within them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
        (xs) => {
          const m = median(xs) as number;
          expect(m).toBeGreaterThanOrEqual(Math.min(...xs));
          expect(m).toBeLessThanOrEqual(Math.max(...xs));
          expect(xs.filter((x) => x <= m).length).toBeGreaterThanOrEqual(xs.length / 2);
          expect(xs.filter((x) => x >= m).length).toBeGreaterThanOrEqual(xs.length / 2);
        },
      ),
    );
    expect(median([])).toBeNull();
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
  });

  it('the median time to complete is that of the handoffs completed in the week', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const f = handoffFigures(i);
        const done = i.handoffs.filter(
          (h) => h.completedAt && h.completedAt >= week.start && h.completedAt < week.end,
        );
        expect(f.completed).toBe(done.length);
        const hours = done.map((h) => ((h.completedAt as Date).getTime() - h.closedAt.getTime()) / HOUR);
        const m = median(hours);
        if (m === null) expect(f.medianHoursToComplete).toBeNull();
        else expect(f.medianHoursToComplete).toBeCloseTo(m, 6);
        if (f.completionRate !== null) {
          expect(f.completionRate).toBeGreaterThanOrEqual(0);
          expect(f.completionRate).toBeLessThanOrEqual(1);
          expect(f.completionRate).toBeCloseTo(f.closedAndCompleted / f.closed, 9);
        } else expect(f.closed).toBe(0);
      }),
    );
  });
});

describe('empty weeks', () => {
  it('a week with nothing in it gives zeros, empty lists and nulls, never NaN', () => {
    const f = digestFigures(empty);
    expect(f.handoffs).toEqual({
      closed: 0,
      completed: 0,
      closedAndCompleted: 0,
      completionRate: null,
      medianHoursToComplete: null,
      incompleteByRep: [],
    });
    expect(f.overdueByRep).toEqual([]);
    expect(f.overdueTotal).toEqual([]);
    expect(f.collected).toEqual([]);
    expect(f.disputes).toEqual({ total: 0, byReason: [], discountMissing: 0 });
    expect(f.dso).toEqual([]);
    expect(f.aging).toEqual([]);
    expect(mainCurrency(f.aging)).toBeNull();
  });

  it('activity outside the week does not count in the week’s flows', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const beforeWeek = (at: Date) => new Date(Math.min(at.getTime(), week.start.getTime() - 1));
        const f = digestFigures({
          ...i,
          handoffs: i.handoffs.map((h) => ({
            ...h,
            closedAt: beforeWeek(h.closedAt),
            completedAt: h.completedAt && beforeWeek(h.completedAt),
          })),
          payments: i.payments.map((p) => ({ ...p, at: beforeWeek(p.at) })),
          disputes: i.disputes.map((d) => ({ ...d, at: beforeWeek(d.at) })),
        });
        expect(f.handoffs.closed).toBe(0);
        expect(f.handoffs.completed).toBe(0);
        expect(f.handoffs.completionRate).toBeNull();
        expect(f.collected).toEqual([]);
        expect(f.disputes.total).toBe(0);
      }),
    );
  });
});

describe('overdue and disputes', () => {
  it('overdue by rep counts only invoices due before the day, sorted most late first', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const rows = overdueByRep(i.open, week.today);
        for (const r of rows) {
          expect(r.oldestDueOn < week.today).toBe(true);
          expect(r.count).toBe(
            i.open
              .filter((o) => o.ownerUserId === r.userId && o.dueOn < week.today)
              .reduce((n, o) => n + o.count, 0),
          );
        }
        for (let k = 1; k < rows.length; k += 1)
          expect((rows[k - 1]?.oldestDaysLate ?? 0) >= (rows[k]?.oldestDaysLate ?? 0)).toBe(true);
      }),
    );
  });

  it('calls out the discount disputes and counts each dispute once', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const f = digestFigures(i).disputes;
        expect(f.byReason.reduce((n, r) => n + r.count, 0)).toBe(f.total);
        expect(f.discountMissing).toBe(
          f.byReason.find((r) => r.reason === 'discount_missing_or_wrong')?.count ?? 0,
        );
      }),
    );
  });
});

describe('DSO', () => {
  it('is open receivables over the 91 days of sales, times 91, per currency, a point a week', () => {
    const f = dsoFigures({
      ...empty,
      issued: [
        { currency: 'USD', issuedOn: '2026-11-01', amountCents: 91_000, balanceCents: 30_000 },
        { currency: 'EUR', issuedOn: '2026-12-01', amountCents: 10_000, balanceCents: 10_000 },
      ],
      // Paid on 3 December: at the point of 30 November it was still open.
      dsoPayments: [
        {
          currency: 'USD',
          issuedOn: '2026-11-01',
          amountCents: 61_000,
          at: new Date('2026-12-03T12:00:00Z'),
        },
      ],
    });
    expect(f.map((d) => d.currency)).toEqual(['EUR', 'USD']);
    const usd = f.find((d) => d.currency === 'USD');
    expect(usd?.series).toHaveLength(DSO_POINTS);
    expect(usd?.series.at(-1)).toEqual({ day: '2026-12-07', days: 30 });
    expect(usd?.series.at(-2)).toEqual({ day: '2026-11-30', days: 91 });
    expect(usd?.change).toBe(-61);
    const eur = f.find((d) => d.currency === 'EUR');
    expect(eur?.days).toBe(91);
    expect(eur?.weekAgo).toBeNull();
    expect(eur?.change).toBeNull();
  });

  it('is between 0 and 91 days at every point whose 91 days of sales hold every invoice issued by then', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        // Issued after 7 September (91 days before the last point) and by 19 October (the first point).
        const recentIssued = i.issued.filter((f) => f.issuedOn > '2026-09-07' && f.issuedOn <= '2026-10-19');
        for (const d of dsoFigures({ ...i, issued: recentIssued, dsoPayments: [] })) {
          expect(d.series[0]?.day).toBe('2026-10-19');
          for (const p of d.series) {
            if (p.days === null) continue;
            expect(p.days).toBeGreaterThanOrEqual(0);
            expect(p.days).toBeLessThanOrEqual(DSO_DAYS);
          }
        }
      }),
    );
  });
});
