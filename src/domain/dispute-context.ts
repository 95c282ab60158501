/**
 * What the billing handoff recorded that bears on a dispute: the promised discounts and special
 * terms, the PO, the AP contact, the billing entity and the payment terms, and who submitted the
 * handoff and when. Pure: the flow loads the deal and its handoff, the views render this.
 */
import { formatFieldValue, type HandoffFields } from './handoff.ts';

export const DISCOUNT_REASON = 'discount_missing_or_wrong';

export interface DisputeContextInput {
  dealName: string;
  /** True when the invoice names no deal and the account's latest deal stands in for it. */
  fromLatestDeal: boolean;
  fields: HandoffFields;
  /** Null when the rep has not saved the handoff yet (the fields are then the CRM's prefill). */
  submitted: { byUserId: string; at: Date; complete: boolean } | null;
  /** The dispute's reason key ('discount_missing_or_wrong'), when known. */
  reason: string | null;
}

export interface DisputeFact {
  label: string;
  /** For people; '—' when the handoff has no value. */
  value: string;
  recorded: boolean;
}

export interface DisputeContext {
  dealName: string;
  fromLatestDeal: boolean;
  submitted: DisputeContextInput['submitted'];
  facts: DisputeFact[];
  /** A "discount missing or wrong" dispute on a deal whose handoff recorded no discount. */
  noDiscountRecorded: boolean;
}

/** The five facts, in the order AR reads them, and the discount warning. */
export function disputeContextOf(input: DisputeContextInput): DisputeContext {
  const f = input.fields;
  const apContact = [f.apContactName, f.apContactEmail, f.apContactPhone]
    .filter((v) => v !== null)
    .join(' · ');
  const discounts =
    f.hasSpecialTerms === true
      ? (f.specialTerms ?? 'Yes (no description)')
      : f.hasSpecialTerms === false
        ? 'None'
        : null;
  const po =
    f.poRequired === true
      ? `Required: ${f.poNumber ?? 'number not given'}`
      : f.poRequired === false
        ? 'Not required'
        : null;
  const facts: Array<[string, string | null]> = [
    ['Discounts and special terms', discounts],
    ['PO', po],
    ['AP contact', apContact || null],
    ['Billing entity', f.legalEntity],
    ['Payment terms', f.paymentTerms === null ? null : formatFieldValue('paymentTerms', f)],
  ];
  return {
    dealName: input.dealName,
    fromLatestDeal: input.fromLatestDeal,
    submitted: input.submitted,
    facts: facts.map(([label, value]) => ({ label, value: value ?? '—', recorded: value !== null })),
    noDiscountRecorded: input.reason === DISCOUNT_REASON && f.hasSpecialTerms !== true,
  };
}
