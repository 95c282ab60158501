import { z } from 'zod';
import { isIsoDate } from '../domain/handoff.ts';
import { type InvoiceInput, isInvoiceUrl } from '../domain/invoice-input.ts';
import { isCurrencyCode } from '../domain/money.ts';
import { describeIssues } from '../validation.ts';

const day = z.string().trim().refine(isIsoDate, 'must be a date written YYYY-MM-DD');
const minor = z
  .number({ error: 'must be a whole number of minor units (cents)' })
  .int('must be a whole number of minor units (cents)')
  .nonnegative('must not be negative')
  .max(Number.MAX_SAFE_INTEGER);
const id = z.union([z.string().trim().min(1).max(200), z.number().int().nonnegative().transform(String)]);

const invoice = z
  .object({
    number: id,
    account: z
      .object({
        id: id.optional(),
        name: z.string().trim().min(1, 'must not be empty').max(300).optional(),
        credit_limit_cents: minor.nullable().optional(),
      })
      .refine((a) => a.id !== undefined || a.name !== undefined, 'needs id (the CRM account id) or name'),
    amount_cents: minor,
    balance_cents: minor,
    currency: z
      .string()
      .trim()
      .transform((c) => c.toUpperCase())
      .refine(isCurrencyCode, 'must be an ISO 4217 currency code such as USD'),
    issued_on: day,
    due_on: day,
    status: z.enum(['open', 'paid', 'void'], { error: 'must be open, paid or void' }).optional(),
    deal_id: id.optional(),
    url: z
      .string({ error: 'must be a link (https://…)' })
      .trim()
      .refine(isInvoiceUrl, 'must be an http or https link of at most 2000 characters')
      .optional(),
  })
  .superRefine((inv, ctx) => {
    if (inv.balance_cents > inv.amount_cents) {
      ctx.addIssue({
        code: 'custom',
        path: ['balance_cents'],
        message: 'must not be more than amount_cents',
      });
    }
    if (inv.due_on < inv.issued_on) {
      ctx.addIssue({ code: 'custom', path: ['due_on'], message: 'must not be before issued_on' });
    }
    if (inv.status === 'paid' && inv.balance_cents > 0) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'is paid but balance_cents is not 0' });
    }
  });

export const MAX_INVOICES_PER_REQUEST = 5_000;

const body = z.object({
  invoices: z
    .array(invoice)
    .min(1, 'must list at least one invoice')
    .max(MAX_INVOICES_PER_REQUEST, `must list at most ${MAX_INVOICES_PER_REQUEST} invoices per request`),
});

export function toInvoiceInput(inv: z.output<typeof invoice>): InvoiceInput {
  return {
    number: inv.number,
    account: {
      crmId: inv.account.id ?? null,
      name: inv.account.name ?? null,
      ...(inv.account.credit_limit_cents !== undefined
        ? { creditLimitCents: inv.account.credit_limit_cents }
        : {}),
    },
    amountCents: inv.amount_cents,
    balanceCents: inv.balance_cents,
    currency: inv.currency,
    issuedOn: inv.issued_on,
    dueOn: inv.due_on,
    status: inv.status,
    dealCrmId: inv.deal_id ?? null,
    ...(inv.url !== undefined ? { url: inv.url } : {}),
  };
}

/** Parses `POST /api/invoices`: every bad row and field is named; one bad row rejects the request. */
export function parseInvoicesBody(
  input: unknown,
): { ok: true; rows: InvoiceInput[] } | { ok: false; problems: string[] } {
  const parsed = body.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: describeIssues(parsed.error).map((p) => p.replace(/^invoices\.(\d+)\./, 'invoices[$1].')),
    };
  }
  const seen = new Map<string, number>();
  const problems: string[] = [];
  for (const [i, inv] of parsed.data.invoices.entries()) {
    const first = seen.get(inv.number);
    if (first !== undefined) problems.push(`invoices[${i}].number: ${inv.number} is also invoices[${first}]`);
    else seen.set(inv.number, i);
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, rows: parsed.data.invoices.map(toInvoiceInput) };
}
