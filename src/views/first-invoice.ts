/**
 * The rep's DM when their deal's first invoice arrives with a link: send it from your own mailbox,
 * to the AP contact the handoff names, with the warnings the handoff calls for. Pure.
 */
import type { KnownBlock } from '@slack/types';
import type { FirstInvoiceFacts, FirstInvoicePlan, FirstInvoiceWarning } from '../domain/first-invoice.ts';
import { formatDay } from '../domain/handoff.ts';
import { formatMoney } from '../domain/money.ts';
import type { SlackMessage } from './handoff-messages.ts';
import {
  context,
  mention,
  plainText,
  SLACK_LIMITS,
  section,
  slackDate,
  truncateMrkdwn,
  userText,
} from './text.ts';

export const FIRST_INVOICE_SENT_ACTION_ID = 'first_invoice_sent';

const NAME_MAX = 200;

const WARNINGS: Record<FirstInvoiceWarning, (p: FirstInvoicePlan, f: FirstInvoiceFacts) => string> = {
  no_ap_email: () =>
    '⚠️ *The handoff has no AP contact email.* Find out who pays invoices and add them to the handoff.',
  signer_not_payer: () =>
    '⚠️ *The signer is not the payer*, the handoff says: send it to the AP contact, not to the person who signed.',
  sender_not_allowlisted: () =>
    '⚠️ *Our billing sender address is not allow-listed* by the customer, the handoff says: the copy from our ' +
    'billing system may land in spam, so yours is the one they will see.',
  allowlist_unknown: () =>
    'ℹ️ The handoff does not say whether the customer allow-listed our billing sender address: yours is the safe copy.',
  ap_domain_differs: (p, f) =>
    `⚠️ *The AP contact's address is not at ${userText(f.accountDomain ?? '', NAME_MAX)}*, the account's domain ` +
    `(${userText(p.apEmail ?? '', NAME_MAX)}): check it is the right person before you send.`,
};

export interface FirstInvoiceDmInput {
  invoiceId: number;
  facts: FirstInvoiceFacts;
  plan: FirstInvoicePlan;
  /** Set once the rep pressed "Sent it". */
  sent: { byUserId: string; at: Date } | null;
}

export function firstInvoiceDm(input: FirstInvoiceDmInput): SlackMessage {
  const { facts: f, plan: p } = input;
  const number = userText(f.number, NAME_MAX);
  const account = userText(f.accountName, NAME_MAX);
  const to = p.apEmail
    ? `${p.apName ? `${userText(p.apName, NAME_MAX)} ` : ''}&lt;${userText(p.apEmail, NAME_MAX)}&gt;`
    : '_no AP contact in the handoff_';
  const facts = [
    `*Amount:* ${formatMoney(f.amountCents, f.currency)} · *due* ${formatDay(f.dueOn)}`,
    `*Send to:* ${to}`,
    `*Billing entity:* ${p.billingEntity ? userText(p.billingEntity, NAME_MAX) : '_not in the handoff_'}`,
  ].join('\n');
  const blocks: KnownBlock[] = [
    section(
      `📨 *The first invoice for ${account} is out: ${number}.* Customers open an invoice from someone they know; ` +
        'please forward it from your own mailbox.',
    ),
    section(facts),
    ...p.warnings.map((w) => section(WARNINGS[w](p, f))),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: plainText('Open the invoice', SLACK_LIMITS.buttonText),
          url: f.url,
          action_id: 'first_invoice_open',
        },
        ...(p.mailto
          ? [
              {
                type: 'button' as const,
                text: plainText('Write the email', SLACK_LIMITS.buttonText),
                url: p.mailto,
                action_id: 'first_invoice_email',
              },
            ]
          : []),
        ...(input.sent
          ? []
          : [
              {
                type: 'button' as const,
                style: 'primary' as const,
                text: plainText('Sent it', SLACK_LIMITS.buttonText),
                action_id: FIRST_INVOICE_SENT_ACTION_ID,
                value: String(input.invoiceId),
              },
            ]),
      ],
    },
    context(
      input.sent
        ? `✅ Sent by ${mention(input.sent.byUserId)} on ${slackDate(input.sent.at)}; logged in the account's thread.`
        : '"Write the email" opens your mail app with the email filled in. Press *Sent it* once it is on its way.',
    ),
  ];
  return {
    text: truncateMrkdwn(
      `📨 The first invoice for ${account}, ${number}, is ready to send.`,
      SLACK_LIMITS.fallbackText,
    ),
    blocks,
  };
}

/** The account-thread post when the rep sent the first invoice from their mailbox. */
export function firstInvoiceSentPost(input: {
  repUserId: string;
  number: string;
  apEmail: string | null;
}): SlackMessage {
  const to = input.apEmail ? ` to ${userText(input.apEmail, NAME_MAX)}` : '';
  const text = `📨 ${mention(input.repUserId)} sent the first invoice, *${userText(input.number, NAME_MAX)}*, from their own mailbox${to}.`;
  return { text, blocks: [section(text)] };
}
