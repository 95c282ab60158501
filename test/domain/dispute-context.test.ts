import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DISCOUNT_REASON, disputeContextOf } from '../../src/domain/dispute-context.ts';
import { emptyHandoff, type HandoffFields } from '../../src/domain/handoff.ts';

const AT = new Date('2026-11-20T15:00:00Z');

function ctx(fields: Partial<HandoffFields>, reason: string | null = DISCOUNT_REASON) {
  return disputeContextOf({
    dealName: 'Platform licence',
    fromLatestDeal: false,
    fields: { ...emptyHandoff(), ...fields },
    submitted: { byUserId: 'U0REP', at: AT, complete: true },
    reason,
  });
}

describe('disputeContextOf', () => {
  it('lists the discount, PO, AP contact, billing entity and terms, in that order', () => {
    const c = ctx({
      hasSpecialTerms: true,
      specialTerms: '10% off year one',
      poRequired: true,
      poNumber: 'PO-1',
      apContactName: 'Pat',
      apContactEmail: 'ap@acme.example',
      legalEntity: 'Acme Ltd',
      paymentTerms: 'custom',
      customTermsDays: 75,
    });
    expect(c.facts).toEqual([
      { label: 'Discounts and special terms', value: '10% off year one', recorded: true },
      { label: 'PO', value: 'Required: PO-1', recorded: true },
      { label: 'AP contact', value: 'Pat · ap@acme.example', recorded: true },
      { label: 'Billing entity', value: 'Acme Ltd', recorded: true },
      { label: 'Payment terms', value: 'Net 75', recorded: true },
    ]);
    expect(c.noDiscountRecorded).toBe(false);
    expect(c.submitted).toEqual({ byUserId: 'U0REP', at: AT, complete: true });
  });

  it('marks what the handoff left empty as not recorded', () => {
    const c = ctx({});
    expect(c.facts.every((f) => !f.recorded && f.value === '—')).toBe(true);
    expect(ctx({ poRequired: false }).facts[1]).toMatchObject({ value: 'Not required', recorded: true });
    expect(ctx({ poRequired: true }).facts[1]).toMatchObject({ value: 'Required: number not given' });
    expect(ctx({ hasSpecialTerms: false }).facts[0]).toMatchObject({ value: 'None', recorded: true });
  });

  it('warns exactly when a discount dispute meets a handoff with no discount recorded', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<boolean | null>(true, false, null),
        fc.option(fc.string(), { nil: null }),
        fc.constantFrom(DISCOUNT_REASON, 'pricing_error', 'other', null),
        (hasSpecialTerms, specialTerms, reason) => {
          const c = ctx({ hasSpecialTerms, specialTerms }, reason);
          expect(c.noDiscountRecorded).toBe(reason === DISCOUNT_REASON && hasSpecialTerms !== true);
          expect(c.facts).toHaveLength(5);
          expect(c.facts.every((f) => f.recorded === (f.value !== '—'))).toBe(true);
        },
      ),
    );
  });
});
