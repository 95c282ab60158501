/**
 * The rules of an AR collection update: which fields the kind needs, and whether what AR entered
 * fits the invoice as it stands. Pure: the invoice's state comes in as data.
 */
import { KIND_NEEDS_INVOICE, type UpdateKind } from './collections.ts';
import { decimalToMinor } from './decimal.ts';
import { formatMoney } from './money.ts';

export type ArTargetType = 'invoice' | 'account';

/** What AR entered in the /ar-update modal (fields that do not apply to the kind are null). */
export interface ArUpdateDraft {
  target: { type: ArTargetType; id: number } | null;
  kind: UpdateKind | null;
  note: string | null;
  promiseDate: string | null;
  disputeReason: string | null;
  amountText: string | null;
}

/** The fields a problem can be about. */
export type ArUpdateField = 'target' | 'kind' | 'promiseDate' | 'disputeReason' | 'amount';

/** The state of what the draft is about, read just before the update is logged. */
export interface ArUpdateFacts {
  /** The picked invoice; undefined when an account was picked or the invoice no longer exists. */
  invoice:
    | {
        id: number;
        number: string;
        status: 'open' | 'paid' | 'void';
        currency: string;
        balanceCents: number;
        disputeState: 'none' | 'open' | 'resolved';
      }
    | undefined;
  /** The account the update is about; undefined when the picked invoice or account no longer exists. */
  accountId: number | undefined;
}

/** An update ready to be logged. */
export interface ArUpdate {
  kind: UpdateKind;
  accountId: number;
  invoiceId: number | null;
  note: string | null;
  promiseDate: string | null;
  disputeReason: string | null;
  amountCents: number | null;
}

export type ArUpdateCheck =
  | { ok: true; update: ArUpdate }
  | { ok: false; problems: Partial<Record<ArUpdateField, string>> };

/** A payment's amount in the invoice's currency, with the problem when it is not one. */
function paymentAmount(
  d: ArUpdateDraft,
  invoice: ArUpdateFacts['invoice'],
): { cents: number | null; problem?: string } {
  const cents = invoice ? decimalToMinor(d.amountText ?? '', invoice.currency) : null;
  if (!d.amountText) return { cents, problem: 'How much was paid?' };
  if (invoice && (cents === null || cents <= 0))
    return { cents, problem: `Enter an amount in ${invoice.currency}, for example 1250.00.` };
  if (invoice && cents !== null && cents > invoice.balanceCents)
    return {
      cents,
      problem: `That is more than the open balance of ${formatMoney(invoice.balanceCents, invoice.currency)}.`,
    };
  return { cents };
}

/**
 * Checks a draft against the invoice or account it is about, on `today`. Only the fields the kind
 * needs are required; every problem is named, by field, for inline modal errors.
 */
export function checkArUpdate(d: ArUpdateDraft, facts: ArUpdateFacts, today: string): ArUpdateCheck {
  const { invoice, accountId } = facts;
  const problems: Partial<Record<ArUpdateField, string>> = {};
  if (!d.target) problems.target = 'Pick the invoice or account this update is about.';
  if (!d.kind) problems.kind = 'What kind of update is this?';
  const needsInvoice = d.kind !== null && KIND_NEEDS_INVOICE[d.kind];
  if (needsInvoice && d.target?.type === 'account')
    problems.target = 'This kind of update is about one invoice: pick the invoice.';
  if (d.target && accountId === undefined) problems.target = 'That invoice or account no longer exists.';
  if (d.kind === 'promise_to_pay') {
    if (!d.promiseDate) problems.promiseDate = 'When did the customer promise to pay?';
    else if (d.promiseDate < today) problems.promiseDate = 'A promise to pay is for today or later.';
  }
  if (d.kind === 'dispute_opened' && !d.disputeReason)
    problems.disputeReason = 'Why is the customer disputing it?';
  if (d.kind === 'dispute_opened' && invoice?.disputeState === 'open')
    problems.kind = 'This invoice already has an open dispute.';
  if (d.kind === 'dispute_resolved' && invoice && invoice.disputeState !== 'open')
    problems.kind = 'This invoice has no open dispute.';
  const amount = d.kind === 'payment_received' ? paymentAmount(d, invoice) : { cents: null };
  if (amount.problem) problems.amount = amount.problem;
  if (invoice && invoice.status !== 'open' && needsInvoice)
    problems.target = `${invoice.number} is ${invoice.status}, not open.`;
  if (Object.keys(problems).length > 0 || !d.kind || accountId === undefined) return { ok: false, problems };
  return {
    ok: true,
    update: {
      kind: d.kind,
      accountId,
      invoiceId: invoice?.id ?? null,
      note: d.note,
      promiseDate: d.kind === 'promise_to_pay' ? d.promiseDate : null,
      disputeReason: d.kind === 'dispute_opened' ? d.disputeReason : null,
      amountCents: amount.cents,
    },
  };
}
