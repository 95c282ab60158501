/** One invoice as the API or a CSV import gives it, already validated. */
export interface InvoiceInput {
  number: string;
  account: { crmId: string | null; name: string | null; creditLimitCents?: number | null };
  amountCents: number;
  balanceCents: number;
  currency: string;
  issuedOn: string;
  dueOn: string;
  status?: 'open' | 'paid' | 'void';
  dealCrmId?: string | null;
}

/** A zero balance means paid, whatever the source says about an open invoice. */
export function invoiceStatus(row: Pick<InvoiceInput, 'status' | 'balanceCents'>): 'open' | 'paid' | 'void' {
  if (row.status === 'void') return 'void';
  if (row.balanceCents === 0) return 'paid';
  return row.status ?? 'open';
}
