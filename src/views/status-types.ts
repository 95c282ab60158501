import type { AgingBucket, UpdateKind } from '../domain/collections.ts';
import type { FieldKey } from '../domain/handoff.ts';

/** Money in one currency; amounts are never summed across currencies. */
export interface MoneyByCurrency {
  currency: string;
  cents: number;
}

export interface StatusInvoice {
  id: number;
  number: string;
  balanceCents: number;
  amountCents: number;
  currency: string;
  dueOn: string;
  daysLate: number;
  disputed: boolean;
  disputeReasonLabel: string | null;
  promiseDate: string | null;
}

export interface StatusUpdate {
  kind: UpdateKind;
  note: string | null;
  authorUserId: string | null;
  at: Date;
  invoiceNumber: string | null;
}

/** Everything /ar-status shows about one account, as of `today` (dates are 'YYYY-MM-DD'). */
export interface AccountStatus {
  accountId: number;
  name: string;
  domain: string | null;
  ownerUserId: string | null;
  /** The latest deal's handoff: null when the account has no deal in AR Bridge. */
  handoff: {
    dealName: string;
    complete: boolean;
    missing: FieldKey[];
    /** e.g. 'Net 30', or null when not given yet. */
    terms: string | null;
  } | null;
  openBalance: MoneyByCurrency[];
  /** Per currency, the open balance in each aging bucket. */
  aging: Array<{ currency: string; buckets: Record<AgingBucket, number> }>;
  /** Overdue or disputed open invoices, worst (most days late) first; `more` counts the rest. */
  problemInvoices: StatusInvoice[];
  moreProblemInvoices: number;
  creditHold: { on: boolean; reasons: string[] };
  /** The last three collection updates, newest first. */
  recentUpdates: StatusUpdate[];
  /** Link to the account's thread in the finance channel, when it has one. */
  threadUrl: string | null;
}

/** One line of a book: an account with an open balance. */
export interface BookLine {
  accountId: number;
  name: string;
  ownerUserId: string | null;
  openBalance: MoneyByCurrency[];
  overdue: MoneyByCurrency[];
  worstDaysLate: number;
  disputes: number;
  creditHold: boolean;
}

/** `/ar-status` alone, for a rep: their accounts with open balances, overdue first. */
export interface RepBook {
  userId: string;
  lines: BookLine[];
  moreLines: number;
}

/** `/ar-status` alone, for AR: the whole ledger's headline. */
export interface LedgerHeadline {
  totalOpen: MoneyByCurrency[];
  aging: Array<{ currency: string; buckets: Record<AgingBucket, number> }>;
  openDisputes: number;
  handoffsWaiting: number;
  accountsOnHold: number;
  overdueInvoices: number;
}

/** Several accounts match the query: a short pick list. */
export interface Candidate {
  accountId: number;
  name: string;
  domain: string | null;
  ownerUserId: string | null;
}

export interface HomeHandoff {
  dealId: number;
  dealName: string;
  accountName: string;
  amountCents: number;
  currency: string;
  closedAt: Date;
  missing: FieldKey[];
  ownerUserId: string | null;
}

export interface HomePayment {
  invoiceNumber: string;
  accountName: string;
  amountCents: number;
  currency: string;
  at: Date;
  paidInFull: boolean;
}

export interface HomeInvoice extends StatusInvoice {
  accountId: number;
  accountName: string;
  ownerUserId: string | null;
}

export interface RepHome {
  kind: 'rep';
  userId: string;
  handoffs: HomeHandoff[];
  moreHandoffs: number;
  problemInvoices: HomeInvoice[];
  moreProblemInvoices: number;
  recentPayments: HomePayment[];
}

export interface ArHome {
  kind: 'ar';
  userId: string;
  /** Open disputes, oldest first. */
  disputes: HomeInvoice[];
  moreDisputes: number;
  /** The oldest overdue invoices (most days late first). */
  oldestOverdue: HomeInvoice[];
  moreOverdue: number;
  handoffsWaiting: HomeHandoff[];
  moreHandoffsWaiting: number;
  onHold: Array<{ accountId: number; name: string; ownerUserId: string | null; since: Date | null }>;
  moreOnHold: number;
}
