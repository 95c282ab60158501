/**
 * The first invoice of a deal, sent by the rep from their own mailbox: whom to send it to, the
 * prefilled email, and what to warn about. Pure; the flow finds the invoice, the view renders this.
 */
import { formatDay, type HandoffFields } from './handoff.ts';
import { formatMoney } from './money.ts';

export interface FirstInvoiceFacts {
  number: string;
  amountCents: number;
  currency: string;
  /** 'YYYY-MM-DD' */
  dueOn: string;
  url: string;
  accountName: string;
  accountDomain: string | null;
  fields: HandoffFields;
}

export type FirstInvoiceWarning =
  /** The handoff says the contract signer is not the person who pays. */
  | 'signer_not_payer'
  /** The handoff says the customer has not allow-listed our billing sender address. */
  | 'sender_not_allowlisted'
  /** The handoff does not say whether the sender address is allow-listed. */
  | 'allowlist_unknown'
  /** The AP contact's email is not at the account's domain (or one of its subdomains). */
  | 'ap_domain_differs'
  /** The handoff has no AP contact email to send it to. */
  | 'no_ap_email';

export interface FirstInvoicePlan {
  apName: string | null;
  apEmail: string | null;
  billingEntity: string | null;
  /** A mailto: link with the subject and body filled in; null without an AP email. */
  mailto: string | null;
  warnings: FirstInvoiceWarning[];
}

/** The domain part of an email address, lower-cased; null when it has none. */
export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf('@');
  return at < 0 || at === email.length - 1 ? null : email.slice(at + 1).toLowerCase();
}

/** True when `domain` is `account` or one of its subdomains (case-insensitive). */
export function withinDomain(domain: string, account: string): boolean {
  const d = domain.toLowerCase();
  const a = account.toLowerCase().replace(/^www\./, '');
  return d === a || d.endsWith(`.${a}`);
}

export function firstInvoicePlan(f: FirstInvoiceFacts): FirstInvoicePlan {
  const h = f.fields;
  const warnings: FirstInvoiceWarning[] = [];
  if (h.apContactEmail === null) warnings.push('no_ap_email');
  if (h.signerIsPayer === false) warnings.push('signer_not_payer');
  if (h.senderAllowlisted === false) warnings.push('sender_not_allowlisted');
  if (h.senderAllowlisted === null) warnings.push('allowlist_unknown');
  const apDomain = h.apContactEmail === null ? null : emailDomain(h.apContactEmail);
  if (apDomain !== null && f.accountDomain !== null && !withinDomain(apDomain, f.accountDomain))
    warnings.push('ap_domain_differs');
  return {
    apName: h.apContactName,
    apEmail: h.apContactEmail,
    billingEntity: h.legalEntity,
    mailto: h.apContactEmail === null ? null : prefilledEmail(h.apContactEmail, f),
    warnings,
  };
}

/** Longest mailto: link we build (a Slack link or button URL takes 3,000 characters). */
export const MAILTO_MAX = 2500;

/** The prefilled email; a link too long to fit leaves the invoice URL out of the body (the rep pastes it). */
function prefilledEmail(to: string, f: FirstInvoiceFacts): string | null {
  const full = mailtoLink(to, emailSubject(f), emailBody(f, true));
  if (full.length <= MAILTO_MAX) return full;
  const short = mailtoLink(to, emailSubject(f), emailBody(f, false));
  return short.length <= MAILTO_MAX ? short : null;
}

export function emailSubject(f: FirstInvoiceFacts): string {
  return `Invoice ${f.number} for ${f.fields.legalEntity ?? f.accountName}`;
}

export function emailBody(f: FirstInvoiceFacts, withLink: boolean): string {
  const greeting = f.fields.apContactName ? `Hi ${f.fields.apContactName},` : 'Hello,';
  return [
    greeting,
    '',
    `Here is our first invoice, ${f.number}, for ${formatMoney(f.amountCents, f.currency)}, due on ${formatDay(f.dueOn)}:`,
    withLink ? f.url : '(link below)',
    '',
    'You can view and pay it at that link. Please let me know if anything on it does not match what we agreed.',
    '',
    'Thank you!',
  ].join('\n');
}

/** RFC 6068: the address as is, the subject and body percent-encoded (line breaks as CRLF). */
export function mailtoLink(to: string, subject: string, body: string): string {
  const enc = (s: string) => encodeURIComponent(s.replace(/\r?\n/g, '\r\n'));
  return `mailto:${encodeURIComponent(to).replace(/%40/g, '@')}?subject=${enc(subject)}&body=${enc(body)}`;
}
