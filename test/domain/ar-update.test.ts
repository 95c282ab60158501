import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ArUpdateDraft, type ArUpdateFacts, checkArUpdate } from '../../src/domain/ar-update.ts';
import { DISPUTE_REASONS, KIND_NEEDS_INVOICE, UPDATE_KINDS } from '../../src/domain/collections.ts';

const TODAY = '2026-03-10';
const FIELDS = ['target', 'kind', 'promiseDate', 'disputeReason', 'amount'];

const draft = (d: Partial<ArUpdateDraft>): ArUpdateDraft => ({
  target: null,
  kind: null,
  note: null,
  promiseDate: null,
  disputeReason: null,
  amountText: null,
  ...d,
});
const openInvoice = {
  id: 7,
  number: 'INV-7',
  status: 'open' as const,
  currency: 'USD',
  balanceCents: 50_000,
  disputeState: 'none' as const,
};
const onInvoice: ArUpdateFacts = { invoice: openInvoice, accountId: 3 };
const invoiceTarget = { type: 'invoice' as const, id: 7 };

const dayArb = fc
  .integer({ min: -400, max: 400 })
  .map((n) => new Date(Date.parse(`${TODAY}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10));
const draftArb: fc.Arbitrary<ArUpdateDraft> = fc.record({
  target: fc.option(
    fc.record({
      type: fc.constantFrom('invoice' as const, 'account' as const),
      id: fc.integer({ min: 1, max: 9 }),
    }),
  ),
  kind: fc.option(fc.constantFrom(...UPDATE_KINDS)),
  note: fc.option(fc.string({ maxLength: 20 })),
  promiseDate: fc.option(dayArb),
  disputeReason: fc.option(fc.constantFrom(...DISPUTE_REASONS.map((r) => r.value))),
  amountText: fc.option(
    fc.oneof(fc.constantFrom('0', '-5', 'abc', '1.234', '', '500', '499.99', '500.01'), fc.string()),
  ),
});
const anyFactsArb: fc.Arbitrary<ArUpdateFacts> = fc.record({
  invoice: fc.option(
    fc.record({
      id: fc.integer({ min: 1, max: 9 }),
      number: fc.constantFrom('INV-1', 'INV-2'),
      status: fc.constantFrom('open' as const, 'paid' as const, 'void' as const),
      currency: fc.constantFrom('USD', 'JPY', 'EUR'),
      balanceCents: fc.integer({ min: 0, max: 1_000_000 }),
      disputeState: fc.constantFrom('none' as const, 'open' as const, 'resolved' as const),
    }),
    { nil: undefined },
  ),
  accountId: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
});

/** Facts as the flow reads them for a draft: an invoice only for an invoice target, whose account it gives. */
const caseArb = fc.tuple(draftArb, anyFactsArb).map(([d, facts]): [ArUpdateDraft, ArUpdateFacts] => {
  if (d.target?.type !== 'invoice')
    return [d, { invoice: undefined, accountId: d.target ? facts.accountId : undefined }];
  return [d, { invoice: facts.invoice, accountId: facts.invoice ? (facts.accountId ?? 1) : undefined }];
});

describe('checkArUpdate', () => {
  it('asks for the target and the kind first', () => {
    expect(checkArUpdate(draft({}), { invoice: undefined, accountId: undefined }, TODAY)).toEqual({
      ok: false,
      problems: {
        target: 'Pick the invoice or account this update is about.',
        kind: 'What kind of update is this?',
      },
    });
  });

  it('needs an open invoice for the kinds about one invoice', () => {
    const onAccount = checkArUpdate(
      draft({ target: { type: 'account', id: 3 }, kind: 'written_off' }),
      { invoice: undefined, accountId: 3 },
      TODAY,
    );
    expect(onAccount).toMatchObject({
      ok: false,
      problems: { target: expect.stringMatching(/pick the invoice/) },
    });
    const paid = checkArUpdate(
      draft({ target: invoiceTarget, kind: 'written_off' }),
      { ...onInvoice, invoice: { ...openInvoice, status: 'paid' } },
      TODAY,
    );
    expect(paid).toEqual({ ok: false, problems: { target: 'INV-7 is paid, not open.' } });
  });

  it('checks a payment against the open balance, in the invoice’s currency', () => {
    const over = checkArUpdate(
      draft({ target: invoiceTarget, kind: 'payment_received', amountText: '500.01' }),
      onInvoice,
      TODAY,
    );
    expect(over).toEqual({
      ok: false,
      problems: { amount: 'That is more than the open balance of $500.00.' },
    });
    const fine = checkArUpdate(
      draft({ target: invoiceTarget, kind: 'payment_received', amountText: '125.50', note: 'wire' }),
      onInvoice,
      TODAY,
    );
    expect(fine).toEqual({
      ok: true,
      update: {
        kind: 'payment_received',
        accountId: 3,
        invoiceId: 7,
        note: 'wire',
        promiseDate: null,
        disputeReason: null,
        amountCents: 12_550,
      },
    });
  });

  it('refuses a promise in the past and a second open dispute', () => {
    expect(
      checkArUpdate(
        draft({ target: invoiceTarget, kind: 'promise_to_pay', promiseDate: '2026-03-09' }),
        onInvoice,
        TODAY,
      ),
    ).toEqual({ ok: false, problems: { promiseDate: 'A promise to pay is for today or later.' } });
    expect(
      checkArUpdate(
        draft({ target: invoiceTarget, kind: 'dispute_opened', disputeReason: 'pricing_error' }),
        { ...onInvoice, invoice: { ...openInvoice, disputeState: 'open' } },
        TODAY,
      ),
    ).toEqual({ ok: false, problems: { kind: 'This invoice already has an open dispute.' } });
  });

  it('names problems only by the fields the modal has', () => {
    fc.assert(
      fc.property(caseArb, ([d, facts]) => {
        const result = checkArUpdate(d, facts, TODAY);
        if (result.ok) return;
        expect(Object.keys(result.problems).length).toBeGreaterThan(0);
        for (const [field, problem] of Object.entries(result.problems)) {
          expect(FIELDS).toContain(field);
          expect(problem).toMatch(/\S/);
        }
      }),
    );
  });

  it('accepts only complete updates, each with just the fields its kind uses', () => {
    fc.assert(
      fc.property(caseArb, ([d, facts]) => {
        const result = checkArUpdate(d, facts, TODAY);
        if (!result.ok) return;
        const u = result.update;
        expect(d.target).not.toBeNull();
        expect(u.kind).toBe(d.kind);
        expect(u.accountId).toBe(facts.accountId);
        expect(u.note).toBe(d.note);
        if (KIND_NEEDS_INVOICE[u.kind]) {
          expect(d.target?.type).toBe('invoice');
          expect(facts.invoice?.status).toBe('open');
        }
        expect(u.promiseDate === null).toBe(u.kind !== 'promise_to_pay');
        if (u.promiseDate !== null) expect(u.promiseDate >= TODAY).toBe(true);
        expect(u.disputeReason === null).toBe(u.kind !== 'dispute_opened');
        if (u.kind === 'payment_received') {
          expect(u.amountCents).toBeGreaterThan(0);
          expect(u.amountCents).toBeLessThanOrEqual(facts.invoice?.balanceCents ?? 0);
        } else expect(u.amountCents).toBeNull();
      }),
    );
  });

  it('never accepts an update about something that no longer exists', () => {
    fc.assert(
      fc.property(caseArb, ([d, facts]) => {
        fc.pre(facts.accountId === undefined);
        expect(checkArUpdate(d, facts, TODAY).ok).toBe(false);
      }),
    );
  });
});
