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
  /** Where the customer sees or pays the invoice (a billing system's hosted page); http(s) only. */
  url?: string | null;
}

/** An invoice link: an absolute http or https URL of at most 2,000 characters. */
export function isInvoiceUrl(value: string): boolean {
  if (value.length > 2000) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** A zero balance means paid, whatever the source says about an open invoice. */
export function invoiceStatus(row: Pick<InvoiceInput, 'status' | 'balanceCents'>): 'open' | 'paid' | 'void' {
  if (row.status === 'void') return 'void';
  if (row.balanceCents === 0) return 'paid';
  return row.status ?? 'open';
}
