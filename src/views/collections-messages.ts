/**
 * Messages about collections in the finance channel's account thread (past-due and broken-promise pings to the
 * rep, disputes, payments, credit hold, AR's collection updates) and the rep's DM when a customer pays.
 * Pure functions returning Block Kit; every piece of user text is escaped.
 */
import type { KnownBlock } from '@slack/types';
import type { LastCollectionUpdate } from '../db/collection-updates.ts';
import type { Invoice } from '../db/schema.ts';
import { UPDATE_KIND_LABELS, type UpdateKind } from '../domain/collections.ts';
import type { DisputeContext } from '../domain/dispute-context.ts';
import { formatDay } from '../domain/handoff.ts';
import { formatMoney } from '../domain/money.ts';
import { askRepButton } from './asks.ts';
import { disputeContextBlocks } from './dispute-context.ts';
import type { SlackMessage } from './handoff-messages.ts';
import {
  context,
  listItems,
  mention,
  packLines,
  plainText,
  quote,
  SLACK_LIMITS,
  section,
  slackDate,
  truncateMrkdwn,
  userText,
} from './text.ts';

export const COLLECTIONS_CONTACTED_ACTION_ID = 'collections_contacted';
export const COLLECTIONS_ASK_AR_ACTION_ID = 'collections_ask_ar';
export const COLLECTIONS_ASSIGN_REP_ACTION_ID = 'collections_assign_rep';

/** Longest piece of user text (account name, invoice number) shown inline. */
const NAME_MAX = 300;
const NOTE_MAX = 2000;
const PERSON_MAX = 100;
const REASON_MAX = 300;
/** Credit hold reasons a post lists; the rest are counted. */
export const CREDIT_HOLD_REASONS_SHOWN = 20;
const AR_MENTIONS_SHOWN = 20;

export interface CollectionInvoice {
  number: string;
  amountCents: number;
  balanceCents: number;
  currency: string;
  /** 'YYYY-MM-DD' */
  dueOn: string;
  /** 'YYYY-MM-DD' */
  issuedOn: string;
}

/** An invoice row as the collections messages show it. */
export function collectionInvoice(
  inv: Pick<Invoice, 'number' | 'amount_cents' | 'balance_cents' | 'currency' | 'due_on' | 'issued_on'>,
): CollectionInvoice {
  return {
    number: inv.number,
    amountCents: inv.amount_cents,
    balanceCents: inv.balance_cents,
    currency: inv.currency,
    dueOn: inv.due_on,
    issuedOn: inv.issued_on,
  };
}

interface AboutInvoice {
  invoice: CollectionInvoice;
  accountName: string;
}

/** A past-due reply in the account thread that mentions the rep and asks for their help. */
export function pastDuePing(
  input: AboutInvoice & {
    invoiceId: number;
    repUserId: string | null;
    daysLate: number;
    threshold: number;
    escalationNear: boolean;
    lastUpdate: LastCollectionUpdate | null;
  },
): SlackMessage {
  const { number, account, balance } = describeInvoice(input);
  const late = days(input.daysLate);
  const to = input.repUserId === null ? '' : `${person(input.repUserId)}, `;
  return message(`⏰ ${to}${number} (${account}) is ${late} past due: ${balance} open.`, [
    section(`⏰ ${to}*${number}* for *${account}* is *${late} past due*.\n${amountLine(input.invoice)}`),
    ...noRepBlocks(input.repUserId),
    section(lastUpdateText(input.lastUpdate)),
    ...(input.escalationNear
      ? [
          section(
            `⚠️ *Escalation to collections is near.* ${number} is ${late} late; a word from you now can ` +
              'keep it out of collections.',
          ),
        ]
      : []),
    reachOutButtons(input.invoiceId, input.repUserId),
    context(`Past-due alert for the ${input.threshold}-day mark`),
  ]);
}

/** The promised payment day passed and the invoice is still unpaid. */
export function brokenPromisePing(
  input: AboutInvoice & {
    invoiceId: number;
    repUserId: string | null;
    promiseDate: string;
    daysLate: number;
  },
): SlackMessage {
  const { number, account, balance } = describeInvoice(input);
  const promised = day(input.promiseDate);
  const to = input.repUserId === null ? '' : `${person(input.repUserId)}, `;
  const late = input.daysLate > 0 ? `, ${days(input.daysLate)} past due` : '';
  return message(`💔 ${to}${account} promised to pay ${number} by ${promised}; it is still unpaid.`, [
    section(
      `💔 ${to}*${account}* promised to pay *${number}* by ${promised}, and it is still unpaid ` +
        `(${balance} open${late}).\n${amountLine(input.invoice)}`,
    ),
    ...noRepBlocks(input.repUserId),
    reachOutButtons(input.invoiceId, input.repUserId),
  ]);
}

/** AR opened a dispute: the rep learns why, and that past-due alerts pause meanwhile. */
export function disputeOpenedPing(
  input: AboutInvoice & {
    repUserId: string | null;
    reasonLabel: string;
    note: string | null;
    /** Who logged it; null when a system reported it (named by `via`, e.g. Stripe). */
    byUserId: string | null;
    via?: string;
    /** What the deal's handoff recorded; null when the account has no deal here. */
    handoff: DisputeContext | null;
    /** The disputed invoice: with a rep on the account, AR may ask them for something about it. */
    invoiceId?: number;
  },
): SlackMessage {
  const { number, account } = describeInvoice(input);
  const reason = userText(input.reasonLabel, NAME_MAX);
  const ask: KnownBlock[] =
    input.invoiceId !== undefined && input.repUserId !== null
      ? [{ type: 'actions', elements: [askRepButton(`invoice:${input.invoiceId}`)] }]
      : [];
  const to = input.repUserId === null ? '' : `${person(input.repUserId)}, `;
  return message(`⚖️ ${to}${account} disputes ${number}: ${reason}.`, [
    section(
      `⚖️ ${to}*${account}* disputes *${number}*.\n*Reason:* ${reason} · ${loggedBy(input)}\n` +
        amountLine(input.invoice),
    ),
    ...noteBlocks(input.note),
    ...disputeContextBlocks(input.handoff),
    ...noRepBlocks(input.repUserId),
    ...ask,
    context('Past-due alerts for this invoice are paused until the dispute is resolved.'),
  ]);
}

export function disputeResolvedPost(
  input: AboutInvoice & {
    repUserId: string | null;
    note: string | null;
    byUserId: string | null;
    via?: string;
  },
): SlackMessage {
  const { number, account } = describeInvoice(input);
  const cc = input.repUserId === null ? '' : ` cc ${person(input.repUserId)}`;
  return message(`✅ The dispute on ${number} (${account}) is resolved.`, [
    section(
      `✅ *The dispute on ${number}* (${account}) is resolved, ${loggedBy(input)}.${cc}\n` +
        amountLine(input.invoice),
    ),
    ...noteBlocks(input.note),
    ...noRepBlocks(input.repUserId),
  ]);
}

/** In the thread: the invoice is paid in full. */
export function invoicePaidPost(
  input: AboutInvoice & { repUserId: string | null; commissionEligible: boolean },
): SlackMessage {
  const { number, account, amount } = describeInvoice(input);
  const cc = input.repUserId === null ? '' : ` cc ${person(input.repUserId)}`;
  return message(`💰 ${account} paid ${number} in full (${amount}).`, [
    section(`💰 *${account}* paid *${number}* in full (${amount}).${cc}`),
    ...noRepBlocks(input.repUserId),
    ...(input.commissionEligible ? [context('Paid: commission eligible.')] : []),
  ]);
}

/** The rep's DM when their customer pays an invoice. */
export function invoicePaidDm(input: AboutInvoice & { commissionEligible: boolean }): SlackMessage {
  const { number, account, amount } = describeInvoice(input);
  const text = input.commissionEligible
    ? `💰 ${account} paid ${number} (${amount}): paid: commission eligible.`
    : `💰 ${account} paid ${number} in full (${amount}).`;
  return message(text, [
    section(`💰 *${account}* paid *${number}* in full: ${amount}.`),
    ...(input.commissionEligible ? [section(`✅ ${number} is paid: commission eligible.`)] : []),
  ]);
}

/** A payment that leaves a balance. */
export function paymentRecordedPost(
  input: AboutInvoice & { amountCents: number; byUserId: string | null },
): SlackMessage {
  const { number, account, balance } = describeInvoice(input);
  const paid = formatMoney(input.amountCents, input.invoice.currency);
  const by = input.byUserId === null ? '' : `, logged by ${person(input.byUserId)}`;
  return message(`💵 ${account} paid ${paid} on ${number}; ${balance} still open.`, [
    section(
      `💵 *${account}* paid *${paid}* on *${number}*${by}.\n${balance} of ` +
        `${formatMoney(input.invoice.amountCents, input.invoice.currency)} is still open, due ${day(input.invoice.dueOn)}.`,
    ),
  ]);
}

/** The account goes on (with its reasons) or comes off credit hold. */
export function creditHoldPost(input: {
  accountName: string;
  repUserId: string | null;
  on: boolean;
  reasons: string[];
  /** Reasons left out of `reasons` (counted with the ones not shown). */
  moreReasons?: number;
}): SlackMessage {
  const account = userText(input.accountName, NAME_MAX);
  const cc = input.repUserId === null ? '' : ` cc ${person(input.repUserId)}`;
  if (!input.on) {
    return message(`✅ ${account} is off credit hold.`, [
      section(`✅ *${account} is off credit hold.*${cc}`),
      ...noRepBlocks(input.repUserId),
    ]);
  }
  const shown = input.reasons.slice(0, CREDIT_HOLD_REASONS_SHOWN).map((r) => `• ${userText(r, REASON_MAX)}`);
  const more = input.reasons.length - shown.length + (input.moreReasons ?? 0);
  const lines = [
    `🛑 *${account} is on credit hold.*${cc}`,
    ...(shown.length > 0 ? ['Why:', ...shown] : []),
    ...(more > 0 ? [`…and ${more} more`] : []),
  ];
  return message(`🛑 ${account} is on credit hold.`, [
    ...packLines(lines).map(section),
    ...noRepBlocks(input.repUserId),
  ]);
}

const UPDATE_EMOJI: Record<UpdateKind, string> = {
  note: '🗒️',
  reminder_sent: '📧',
  contacted: '📞',
  promise_to_pay: '🤝',
  dispute_opened: '⚖️',
  dispute_resolved: '✅',
  payment_received: '💵',
  escalated: '🚨',
  written_off: '🪦',
};

export interface CollectionUpdatePostInput {
  kind: UpdateKind;
  accountName: string;
  /** The invoice the update is about; null when it is about the whole account. */
  invoice: (Partial<CollectionInvoice> & { number: string }) | null;
  authorUserId: string | null;
  note: string | null;
  promiseDate: string | null;
  disputeReasonLabel: string | null;
  amountCents: number | null;
  currency: string | null;
}

/** How an AR collection update appears in the account thread: one line, then the note quoted. */
export function collectionUpdatePost(input: CollectionUpdatePostInput): SlackMessage {
  const account = userText(input.accountName, NAME_MAX);
  const subject =
    input.invoice === null ? `*${account}*` : `*${userText(input.invoice.number, NAME_MAX)}* (${account})`;
  const line = `${UPDATE_EMOJI[input.kind]} ${updateLine(input, subject)}`;
  return message(line, [section(line), ...noteBlocks(input.note)]);
}

function updateLine(input: CollectionUpdatePostInput, subject: string): string {
  const who = person(input.authorUserId, 'AR');
  const currency = input.invoice?.currency ?? input.currency;
  const amount = input.amountCents !== null && currency ? formatMoney(input.amountCents, currency) : null;
  switch (input.kind) {
    case 'note':
      return `${who} added a note on ${subject}`;
    case 'reminder_sent':
      return `${who} sent a payment reminder for ${subject}`;
    case 'contacted':
      return `${who} contacted the customer about ${subject}`;
    case 'promise_to_pay':
      return input.promiseDate === null
        ? `${who} logged a promise to pay ${subject}`
        : `${who} logged a promise to pay ${subject} by ${day(input.promiseDate)}`;
    case 'dispute_opened':
      return input.disputeReasonLabel === null
        ? `${who} opened a dispute on ${subject}`
        : `${who} opened a dispute on ${subject}: ${userText(input.disputeReasonLabel, NAME_MAX)}`;
    case 'dispute_resolved':
      return `${who} resolved the dispute on ${subject}`;
    case 'payment_received':
      return amount === null
        ? `${who} recorded a payment on ${subject}`
        : `${who} recorded a payment of ${amount} on ${subject}`;
    case 'escalated':
      return `${who} escalated ${subject} to collections`;
    case 'written_off':
      return amount === null ? `${who} wrote off ${subject}` : `${who} wrote off ${amount} of ${subject}`;
  }
}

/** After "I'll reach out". */
export function contactedPost(input: { repUserId: string; invoiceNumber: string }): SlackMessage {
  const text = `📞 ${person(input.repUserId)} will reach out about ${userText(input.invoiceNumber, NAME_MAX)}.`;
  return message(text, [section(text)]);
}

/** To someone who pressed "I'll reach out" on an account another rep owns (only they see it). */
export function reachOutRefusal(ownerUserId: string): { text: string } {
  return { text: `This account belongs to <@${ownerUserId}>; they will reach out.` };
}

/** After "Ask AR": mentions every AR person so someone picks it up. */
export function askArPost(input: {
  arUserIds: string[];
  repUserId: string | null;
  invoiceNumber: string;
}): SlackMessage {
  const number = userText(input.invoiceNumber, NAME_MAX);
  const who = input.repUserId === null ? 'Someone' : person(input.repUserId);
  if (input.arUserIds.length === 0) {
    const text = `🙋 ${who} has a question for AR about ${number}, but nobody from AR can be mentioned.`;
    return message(text, [
      section(text),
      context('AR_USER_IDS is not set: ask the admin to list the AR team’s Slack user ids there.'),
    ]);
  }
  const ar = listItems(
    input.arUserIds.map((id) => person(id)),
    AR_MENTIONS_SHOWN,
  );
  const text = `🙋 ${ar}: ${who} has a question about ${number}. Please reply in this thread.`;
  return message(text, [section(text)]);
}

/** The root of a new account thread, when a collections event comes first. */
export function accountThreadRoot(input: { accountName: string; repUserId: string | null }): SlackMessage {
  const account = userText(input.accountName, NAME_MAX);
  const owner =
    input.repUserId === null ? 'none yet (AR can assign one)' : person(input.repUserId, 'none yet');
  return message(`📒 ${account}: AR thread`, [
    section(`📒 *${account}*: AR thread. Owner: ${owner}`),
    context(
      'Invoices, disputes, payments and collection updates for this account are posted in this thread.',
    ),
  ]);
}

// ---------------------------------------------------------------------------------------------------------------

function message(text: string, blocks: KnownBlock[]): SlackMessage {
  return { text: truncateMrkdwn(text, SLACK_LIMITS.fallbackText), blocks };
}

function describeInvoice(input: AboutInvoice): {
  number: string;
  account: string;
  amount: string;
  balance: string;
} {
  return {
    number: userText(input.invoice.number, NAME_MAX),
    account: userText(input.accountName, NAME_MAX),
    amount: formatMoney(input.invoice.amountCents, input.invoice.currency),
    balance: formatMoney(input.invoice.balanceCents, input.invoice.currency),
  };
}

function amountLine(invoice: CollectionInvoice): string {
  const balance = formatMoney(invoice.balanceCents, invoice.currency);
  const amount = formatMoney(invoice.amountCents, invoice.currency);
  const of = invoice.balanceCents === invoice.amountCents ? '' : ` of ${amount}`;
  return `*Open:* ${balance}${of} · *Due* ${day(invoice.dueOn)} · issued ${day(invoice.issuedOn)}`;
}

/** 'YYYY-MM-DD' → 'Mar 1, 2026', escaped (text that is not a day is shown as it is). */
function day(text: string): string {
  return userText(formatDay(text), NAME_MAX);
}

/** A Slack mention (or the escaped text of something that is not a user id), never overly long. */
/** "logged by @someone", or "reported by Stripe" when a system reported it. */
function loggedBy(input: { byUserId: string | null; via?: string }): string {
  return input.byUserId === null
    ? `reported by ${input.via ?? 'AR Bridge'}`
    : `logged by ${person(input.byUserId)}`;
}

/** A dispute lost at the card network: the customer got the money back, so the invoice is open again. */
export function disputeLostPost(
  input: AboutInvoice & { repUserId: string | null; reversedCents: number; via: string },
): SlackMessage {
  const { number, account, balance } = describeInvoice(input);
  const reversed = formatMoney(input.reversedCents, input.invoice.currency);
  const to = input.repUserId === null ? '' : `${person(input.repUserId)}, `;
  return message(`❌ ${to}the dispute on ${number} (${account}) was lost: ${balance} is open again.`, [
    section(
      `❌ ${to}*the dispute on ${number}* (${account}) was lost, reported by ${input.via}: ` +
        `${reversed} went back to the customer, so *${balance}* is open again.\n` +
        amountLine(input.invoice),
    ),
    ...noRepBlocks(input.repUserId),
    context('Past-due alerts for this invoice resume.'),
  ]);
}

function person(userId: string | null, fallback = 'someone'): string {
  return truncateMrkdwn(mention(userId, fallback), PERSON_MAX);
}

function days(count: number): string {
  return `${count} day${count === 1 ? '' : 's'}`;
}

function noRepBlocks(repUserId: string | null): KnownBlock[] {
  return repUserId === null
    ? [context('👤 No rep owns this account yet, so nobody was pinged. AR can assign one.')]
    : [];
}

function noteBlocks(note: string | null): KnownBlock[] {
  const trimmed = note?.trim();
  return trimmed ? [section(quote(userText(trimmed, NOTE_MAX)))] : [];
}

function lastUpdateText(update: LastCollectionUpdate | null): string {
  if (update === null) return '🗒️ No collection update yet.';
  const by = update.authorUserId === null ? '' : ` by ${person(update.authorUserId)}`;
  const head = `🗒️ *Last collection update:* ${UPDATE_KIND_LABELS[update.kind]}${by}, ${slackDate(update.at)}`;
  const note = update.note?.trim();
  return note ? `${head}\n${quote(userText(note, NOTE_MAX))}` : head;
}

/** "I'll reach out" and "Ask AR"; with no rep on the account, "Assign a rep" (for AR) too. */
function reachOutButtons(invoiceId: number, repUserId: string | null): KnownBlock {
  return {
    type: 'actions',
    elements: [
      ...(repUserId === null
        ? [
            {
              type: 'button' as const,
              action_id: COLLECTIONS_ASSIGN_REP_ACTION_ID,
              value: String(invoiceId),
              text: plainText('Assign a rep', SLACK_LIMITS.buttonText),
            },
          ]
        : []),
      {
        type: 'button',
        action_id: COLLECTIONS_CONTACTED_ACTION_ID,
        value: String(invoiceId),
        style: 'primary',
        text: plainText("I'll reach out", SLACK_LIMITS.buttonText),
      },
      {
        type: 'button',
        action_id: COLLECTIONS_ASK_AR_ACTION_ID,
        value: String(invoiceId),
        text: plainText('Ask AR', SLACK_LIMITS.buttonText),
      },
      ...(repUserId === null ? [] : [askRepButton(`invoice:${invoiceId}`)]),
    ],
  };
}

/** AR assigned the account's owning rep: said in the account thread. */
export function repAssignedPost(input: {
  accountName: string;
  repUserId: string;
  byUserId: string;
}): SlackMessage {
  const account = userText(input.accountName, NAME_MAX);
  return message(`👤 ${person(input.repUserId)} now owns ${account}.`, [
    section(
      `👤 ${person(input.byUserId)} assigned ${person(input.repUserId)} as the rep who owns *${account}*. ` +
        'Past-due and dispute alerts for it now go to them.',
    ),
  ]);
}
