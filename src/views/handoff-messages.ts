/**
 * Messages about billing handoffs: the rep's DMs (deal closed, status after a save) and the finance channel's
 * account thread (summary, changes, an owner nobody could find). Pure functions returning Block Kit.
 */
import type { KnownBlock } from '@slack/types';
import {
  FIELD_LABELS,
  type FieldChange,
  type FieldKey,
  formatFieldValue,
  type HandoffFields,
  termsApprovalReason,
} from '../domain/handoff.ts';
import { formatMoney } from '../domain/money.ts';
import { roughDuration } from '../domain/working-time.ts';
import {
  context,
  listItems,
  mention,
  mrkdwn,
  packLines,
  plainText,
  quote,
  SLACK_LIMITS,
  section,
  slackDate,
  truncateMrkdwn,
  userText,
} from './text.ts';

export interface SlackMessage {
  /** Notification and accessibility fallback (mrkdwn). */
  text: string;
  blocks: KnownBlock[];
}

export const HANDOFF_OPEN_ACTION_ID = 'handoff_open';

/** Longest piece of user text (deal or account name, a field value) shown inline. */
const NAME_MAX = 300;
const VALUE_MAX = 500;
const QUOTE_MAX = 2500;

interface Deal {
  dealName: string;
  accountName: string;
  amountCents: number;
  currency: string;
}

export function dealClosedDm(
  input: Deal & { dealId: number; closedAt: Date; missing: FieldKey[] },
): SlackMessage {
  const { deal, account, amount } = describeDeal(input);
  const needs =
    input.missing.length > 0
      ? `Before finance can invoice, they need a few details from you: ${missingList(input.missing)}.`
      : 'We prefilled everything finance needs from the CRM. Please check it and save.';
  return message(`🎉 ${deal} (${account}) closed for ${amount}. Please start the billing handoff.`, [
    section(
      `🎉 *Congrats, ${deal} just closed!*\n${account} · ${amount} · closed ${slackDate(input.closedAt)}`,
    ),
    section(needs),
    context('It takes a couple of minutes. You can save what you have and finish later.'),
    openButton(input.dealId, 'Start billing handoff', true),
  ]);
}

export function handoffStatusDm(
  input: Deal & {
    dealId: number;
    complete: boolean;
    missing: FieldKey[];
    termsApproval: boolean;
    updatedAt: Date;
  },
): SlackMessage {
  const { deal, account, amount } = describeDeal(input);
  const what = `${deal} (${account}, ${amount})`;
  const status = input.complete
    ? `✅ *Billing handoff complete* for ${what}. Finance has everything they need to invoice.`
    : `📝 *Billing handoff saved* for ${what}.\nStill missing: ${missingList(input.missing)}. Finance can’t invoice until these are filled in.`;
  const text = input.complete
    ? `✅ Billing handoff for ${deal} is complete.`
    : `📝 Billing handoff for ${deal} saved; still missing ${missingList(input.missing)}.`;
  return message(text, [
    section(status),
    ...(input.termsApproval
      ? [context('⚠️ These payment terms are longer than our standard; finance will review them.')]
      : []),
    context(`Last saved ${slackDate(input.updatedAt, '{date_short_pretty} at {time}')}`),
    openButton(input.dealId, input.complete ? 'Edit handoff' : 'Finish billing handoff', !input.complete),
  ]);
}

export interface HandoffSummaryInput extends Deal {
  dealId: number;
  closedAt: Date;
  repUserId: string | null;
  fields: HandoffFields;
  complete: boolean;
  missing: FieldKey[];
  termsApproval: boolean;
  standardTermsDays: number;
}

/** The account thread's summary of a handoff in the finance channel. */
export function handoffSummary(input: HandoffSummaryInput): SlackMessage {
  const { deal, account, amount } = describeDeal(input);
  const { fields } = input;
  const rep = mention(input.repUserId, '_no rep in Slack_');
  return message(`🧾 Billing handoff for ${account}: ${deal} (${amount}), ${statusText(input)}`, [
    { type: 'header', text: plainText(`🧾 Billing handoff: ${input.accountName}`, SLACK_LIMITS.header) },
    section(`${rep} closed *${deal}* · ${amount} · ${slackDate(input.closedAt)}`),
    section(
      input.complete
        ? '✅ *Complete*: ready to invoice.'
        : `📝 *Incomplete*: missing ${missingList(input.missing)}.`,
    ),
    ...(input.termsApproval ? [section(`⚠️ *Terms need finance approval:* ${approvalReason(input)}.`)] : []),
    ...quotedSection(
      '💸 *Discounts, credits & special terms* (make sure they reach the invoice)',
      fields.hasSpecialTerms ? fields.specialTerms : null,
    ),
    ...fieldSections(summaryItems(fields)),
    ...quotedSection('🗒️ *Notes for finance*', fields.financeNotes),
    context(`Deal #${input.dealId}`),
  ]);
}

export interface HandoffChangesInput {
  dealName: string;
  repUserId: string | null;
  changes: FieldChange[];
  complete: boolean;
  missing: FieldKey[];
  termsApproval: boolean;
  becameComplete: boolean;
}

const TERMS_FIELDS = new Set<FieldKey>(['paymentTerms', 'customTermsDays']);

/** A thread reply listing what the rep changed in a handoff. */
export function handoffChanges(input: HandoffChangesInput): SlackMessage {
  const deal = userText(input.dealName, NAME_MAX);
  const who = mention(input.repUserId);
  const intro =
    input.changes.length > 0
      ? `✏️ ${who} updated the billing handoff for *${deal}*:`
      : `✏️ ${who} saved the billing handoff for *${deal}* without changes.`;
  const lines = input.changes.map(
    (c) => `• *${c.label}:* ${userText(c.before, VALUE_MAX)} → ${userText(c.after, VALUE_MAX)}`,
  );
  const termsChanged = input.changes.some((c) => TERMS_FIELDS.has(c.field));
  return message(`✏️ Billing handoff for ${deal} updated (${plural(input.changes.length, 'change')}).`, [
    ...packLines([intro, ...lines]).map(section),
    ...(input.termsApproval && termsChanged
      ? [section('⚠️ The new payment terms are longer than standard and need finance approval.')]
      : []),
    ...(input.becameComplete ? [section('✅ Handoff is now complete')] : []),
    ...(input.complete ? [] : [context(`Still missing: ${missingList(input.missing)}`)]),
  ]);
}

/** For the finance channel: a closed deal whose CRM owner matches nobody in Slack. */
export function ownerNotFound(
  input: Deal & { dealId: number; ownerEmail: string | null; ownerSlackId: string | null },
): SlackMessage {
  const { deal, account, amount } = describeDeal(input);
  const owner = [
    input.ownerEmail === null ? null : `email ${userText(input.ownerEmail, NAME_MAX)}`,
    input.ownerSlackId === null ? null : `Slack ID ${userText(input.ownerSlackId, NAME_MAX)}`,
  ].filter((part) => part !== null);
  return message(
    `⚠️ ${deal} (${account}) closed, but no Slack user matches its owner; no billing handoff was requested.`,
    [
      section(
        `⚠️ *No Slack user for the owner of ${deal}*\n${account} · ${amount}. The deal is saved, but nobody in Slack ` +
          `matches its CRM owner (${owner.length > 0 ? owner.join(', ') : 'no owner given'}), so no one has been ` +
          'asked for the billing handoff yet.',
      ),
      section(
        '*What to do:* the rep who owns the deal presses *I own this deal* below and fills the handoff; or fix the ' +
          'deal owner in the CRM so it matches their Slack account’s email.',
      ),
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: DEAL_CLAIM_ACTION_ID,
            value: String(input.dealId),
            text: plainText('I own this deal', SLACK_LIMITS.buttonText),
          },
        ],
      },
    ],
  );
}

export const DEAL_CLAIM_ACTION_ID = 'deal_claim';
export const HANDOFF_SNOOZE_ACTION_ID = 'handoff_snooze';
export const HANDOFF_NOT_MINE_ACTION_ID = 'handoff_not_mine';

/** The reminder DM about an incomplete handoff: what is missing, and three ways to act. */
export function handoffReminderDm(
  input: Deal & {
    dealId: number;
    closedAt: Date;
    now: Date;
    missing: FieldKey[];
    n: number;
    max: number;
    hasDraft: boolean;
  },
): SlackMessage {
  const { deal, account, amount } = describeDeal(input);
  const ago = roughDuration(input.now.getTime() - input.closedAt.getTime());
  const needs =
    input.missing.length > 0
      ? `Finance still needs: ${missingList(input.missing)}.`
      : 'Everything is filled in: open it and press Save to send it to finance.';
  const last =
    input.n >= input.max ? ' This is the last reminder before finance is told in the account thread.' : '';
  return message(`⏰ Reminder: the billing handoff for ${deal} (${account}) is not finished yet.`, [
    section(
      `⏰ *The billing handoff for ${deal} is not finished yet*\n${account} · ${amount} · closed ${ago} ago`,
    ),
    section(`${needs}${last}`),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: HANDOFF_OPEN_ACTION_ID,
          value: String(input.dealId),
          style: 'primary',
          text: plainText(
            input.hasDraft ? 'Finish billing handoff' : 'Start billing handoff',
            SLACK_LIMITS.buttonText,
          ),
        },
        {
          type: 'button',
          action_id: HANDOFF_SNOOZE_ACTION_ID,
          value: String(input.dealId),
          text: plainText('Snooze a day', SLACK_LIMITS.buttonText),
        },
        {
          type: 'button',
          action_id: HANDOFF_NOT_MINE_ACTION_ID,
          value: String(input.dealId),
          text: plainText('Not my deal', SLACK_LIMITS.buttonText),
        },
      ],
    },
    context(`Reminder ${input.n} of ${input.max}`),
  ]);
}

/** What the reminder turns into once the rep snoozes it. */
export function handoffSnoozedDm(input: Deal & { dealId: number; until: Date }): SlackMessage {
  const { deal, account } = describeDeal(input);
  return message(
    `😴 Snoozed: the next reminder about ${deal} comes ${slackDate(input.until, '{date_short_pretty} at {time}')}.`,
    [
      section(
        `😴 *Snoozed.* The next reminder about the billing handoff for ${deal} (${account}) comes ` +
          `${slackDate(input.until, '{date_short_pretty} at {time}')}.`,
      ),
      openButton(input.dealId, 'Finish billing handoff now', false),
    ],
  );
}

/** After the last reminder: finance is told in the account thread, with the rep and their manager. */
export function handoffEscalation(
  input: Deal & {
    repUserId: string;
    managerUserId: string | null;
    reminders: number;
    closedAt: Date;
    missing: FieldKey[];
  },
): SlackMessage {
  const { deal, account, amount } = describeDeal(input);
  const who = input.managerUserId
    ? `${mention(input.repUserId)} (cc ${mention(input.managerUserId)})`
    : mention(input.repUserId);
  const missing = input.missing.length > 0 ? missingList(input.missing) : 'a final save';
  return message(
    `🚩 The billing handoff for ${deal} is still incomplete after ${plural(input.reminders, 'reminder')}.`,
    [
      section(
        `🚩 *The billing handoff for ${deal} is still incomplete* after ${plural(input.reminders, 'reminder')}.\n` +
          `${account} · ${amount} · closed ${slackDate(input.closedAt)}\n${who}, finance cannot invoice without: ${missing}.`,
      ),
    ],
  );
}

/** The DM to the rep a deal was handed to with "Not my deal". */
export function dealReassignedDm(
  input: Deal & { dealId: number; fromUserId: string; missing: FieldKey[] },
): SlackMessage {
  const { deal, account, amount } = describeDeal(input);
  const needs =
    input.missing.length > 0 ? `Finance needs: ${missingList(input.missing)}.` : 'Please check it and save.';
  return message(`📨 ${deal} (${account}) was passed to you for the billing handoff.`, [
    section(
      `📨 *${mention(input.fromUserId)} passed you the billing handoff for ${deal}*\n${account} · ${amount}`,
    ),
    section(needs),
    openButton(input.dealId, 'Start billing handoff', true),
  ]);
}

// ---------------------------------------------------------------------------------------------------------------

function message(text: string, blocks: KnownBlock[]): SlackMessage {
  return { text: truncateMrkdwn(text, SLACK_LIMITS.fallbackText), blocks };
}

function describeDeal(input: Deal): { deal: string; account: string; amount: string } {
  return {
    deal: userText(input.dealName, NAME_MAX),
    account: userText(input.accountName, NAME_MAX),
    amount: formatMoney(input.amountCents, input.currency),
  };
}

function missingList(missing: readonly FieldKey[]): string {
  return listItems(missing.map((key) => FIELD_LABELS[key]));
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function openButton(dealId: number, text: string, primary: boolean): KnownBlock {
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: HANDOFF_OPEN_ACTION_ID,
        value: String(dealId),
        text: plainText(text, SLACK_LIMITS.buttonText),
        ...(primary ? { style: 'primary' as const } : {}),
      },
    ],
  };
}

function statusText(input: { complete: boolean; missing: FieldKey[] }): string {
  return input.complete ? 'complete' : `missing ${missingList(input.missing)}`;
}

function approvalReason(input: HandoffSummaryInput): string {
  return (
    termsApprovalReason(input.fields, input.standardTermsDays) ??
    `the terms are longer than the standard ${input.standardTermsDays} days`
  );
}

function quotedSection(title: string, text: string | null): KnownBlock[] {
  return text ? [section(`${title}\n${quote(userText(text, QUOTE_MAX))}`)] : [];
}

/** Two-column `fields` sections, at most Slack's 10 fields each. Values are already escaped mrkdwn. */
function fieldSections(items: ReadonlyArray<[label: string, value: string]>): KnownBlock[] {
  const sections: KnownBlock[] = [];
  for (let i = 0; i < items.length; i += SLACK_LIMITS.sectionFields) {
    const chunk = items.slice(i, i + SLACK_LIMITS.sectionFields);
    sections.push({
      type: 'section',
      fields: chunk.map(([label, value]) => mrkdwn(`*${label}*\n${value}`, SLACK_LIMITS.sectionField)),
    });
  }
  return sections;
}

function summaryItems(f: HandoffFields): Array<[string, string]> {
  const value = (key: FieldKey) => userText(formatFieldValue(key, f), VALUE_MAX);
  const known = (...keys: FieldKey[]) => keys.filter((key) => f[key] !== null).map(value);
  return [
    [FIELD_LABELS.legalEntity, value('legalEntity')],
    [FIELD_LABELS.billingAddress, value('billingAddress')],
    ['AP contact', lines(known('apContactName', 'apContactEmail', 'apContactPhone'))],
    [FIELD_LABELS.paymentTerms, value('paymentTerms')],
    ['PO', poText(f, value)],
    [FIELD_LABELS.deliveryMethod, deliveryText(f, value)],
    [FIELD_LABELS.senderAllowlisted, value('senderAllowlisted')],
    [FIELD_LABELS.signerIsPayer, value('signerIsPayer')],
    ['First invoice', `${value('firstInvoiceDate')} · ${value('billingFrequency')}`],
    [FIELD_LABELS.currency, value('currency')],
    ['Tax', taxText(f)],
    [FIELD_LABELS.hasSpecialTerms, f.hasSpecialTerms ? 'Yes (see above)' : value('hasSpecialTerms')],
  ];
}

function poText(f: HandoffFields, value: (key: FieldKey) => string): string {
  if (f.poRequired === null) return value('poRequired');
  return f.poRequired ? `Required: ${value('poNumber')}` : 'Not required';
}

function deliveryText(f: HandoffFields, value: (key: FieldKey) => string): string {
  if (f.deliveryMethod !== 'portal') return value('deliveryMethod');
  const supplierId = f.portalSupplierId === null ? [] : [`Supplier ID: ${value('portalSupplierId')}`];
  return lines([value('deliveryMethod'), value('portalName'), value('portalUrl'), ...supplierId]);
}

function taxText(f: HandoffFields): string {
  if (f.taxExempt === null) return formatFieldValue('taxExempt', f);
  if (!f.taxExempt) return 'Not exempt';
  if (f.taxCertificateOnFile === null) return 'Exempt';
  return f.taxCertificateOnFile ? 'Exempt, certificate on file' : 'Exempt, certificate *not* on file';
}

function lines(parts: string[]): string {
  return parts.length > 0 ? parts.join('\n') : '—';
}
