/**
 * The App Home tab. A rep sees the billing handoffs they still owe, their customers' overdue and disputed invoices
 * and recent payments; AR sees the dispute queue, the oldest overdue invoices, handoffs waiting on reps and the
 * accounts on credit hold. Every section gets its own share of Slack's 100 blocks, so each one shows something
 * (or says it is empty) and ends with "…and N more" where it is cut, whatever the input size.
 */
import type { HomeView, KnownBlock } from '@slack/types';
import type { ArHome, HomeAsk, HomeHandoff, HomeInvoice, HomePayment, RepHome } from '../db/home.ts';
import { FIELD_LABELS, type FieldKey } from '../domain/handoff.ts';
import { formatMoney } from '../domain/money.ts';
import { count, inline, invoiceFacts, listSections, person, shortDay } from './ar-status.ts';
import { ASK_ANSWER_ACTION_ID } from './asks.ts';
import { HANDOFF_OPEN_ACTION_ID } from './handoff-messages.ts';
import { settingsButtonBlocks } from './settings.ts';
import { context, listItems, mention, mrkdwn, plainText, SLACK_LIMITS, section, slackDate } from './text.ts';

const NAME_MAX = 150;
const DAY_MS = 86_400_000;

/**
 * How many items and blocks each section may use. At most, a rep's home is a header, 3 titles, 2 dividers,
 * (10 + 1) + 8 + 4 blocks of items and the footer: 30 blocks, and up to 8 more for open asks (title, 5, more, divider); AR's is 1 + 4 + 3 + 8 + 8 + 6 + 4 + 1 = 35, and up to 9 more for the aging chart and the questions reps sent to AR. Well
 * within Slack's 100, and short enough to read.
 */
const BUDGET = {
  repHandoffs: { maxItems: 10 },
  repInvoices: { maxItems: 20, maxBlocks: 8 },
  repPayments: { maxItems: 10, maxBlocks: 4 },
  arDisputes: { maxItems: 20, maxBlocks: 8 },
  arOverdue: { maxItems: 20, maxBlocks: 8 },
  arHandoffs: { maxItems: 15, maxBlocks: 6 },
  arOnHold: { maxItems: 15, maxBlocks: 4 },
} as const;

/** The App Home; `settings` adds the Settings button (for those who may change Settings). */
export function homeView(h: RepHome | ArHome, now: Date, options: { settings?: boolean } = {}): HomeView {
  const blocks = h.kind === 'rep' ? repBlocks(h, now) : arBlocks(h, now);
  return {
    type: 'home',
    blocks: [
      ...blocks,
      ...(options.settings ? settingsButtonBlocks() : []),
      context(`Updated ${slackDate(now, '{date_short_pretty} at {time}')}`),
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Rep

function repBlocks(h: RepHome, now: Date): KnownBlock[] {
  return [
    { type: 'header', text: plainText('Your AR Bridge', SLACK_LIMITS.header) },
    ...askBlocks('❓ AR is asking you', h.asks, h.moreAsks),
    titled('📝 Billing handoffs to finish', h.handoffs.length + h.moreHandoffs),
    ...repHandoffBlocks(h.handoffs, h.moreHandoffs, now),
    { type: 'divider' },
    titled(
      '⏰ Your customers’ overdue and disputed invoices',
      h.problemInvoices.length + h.moreProblemInvoices,
    ),
    ...lines(h.problemInvoices, h.moreProblemInvoices, BUDGET.repInvoices, {
      empty: 'None of your customers has an overdue or disputed invoice. 🎉',
      render: (inv) => invoiceLine(inv, { account: true, owner: false }),
    }),
    { type: 'divider' },
    titled('💰 Recent payments', 0),
    ...lines(h.recentPayments, 0, BUDGET.repPayments, {
      empty: 'No payments from your customers lately.',
      render: paymentLine,
    }),
  ];
}

/** Open asks, each with its Answer button; nothing at all when there are none. */
function askBlocks(title: string, asks: readonly HomeAsk[], more: number): KnownBlock[] {
  if (asks.length + more === 0) return [];
  return [
    titled(title, asks.length + more),
    ...asks.slice(0, 5).map(
      (a): KnownBlock => ({
        type: 'section',
        text: mrkdwn(
          `*${inline(a.accountName, NAME_MAX)}* · from ${mention(a.askedBy)}` +
            (a.dueOn ? ` · needed by ${shortDay(a.dueOn)}` : '') +
            `\n${inline(a.question, 500)}`,
        ),
        accessory: {
          type: 'button',
          action_id: ASK_ANSWER_ACTION_ID,
          value: String(a.askId),
          text: plainText('Answer', SLACK_LIMITS.buttonText),
        },
      }),
    ),
    ...(asks.length > 5 || more > 0
      ? [context(`…and ${asks.length - Math.min(asks.length, 5) + more} more`)]
      : []),
    { type: 'divider' },
  ];
}

function repHandoffBlocks(handoffs: readonly HomeHandoff[], more: number, now: Date): KnownBlock[] {
  if (handoffs.length + more === 0) return [section('Nothing waiting on you. 🎉')];
  const shown = handoffs.slice(0, BUDGET.repHandoffs.maxItems);
  const rest = handoffs.length - shown.length + more;
  return [
    ...shown.map(
      (handoff): KnownBlock => ({
        type: 'section',
        text: mrkdwn(
          `*${inline(handoff.dealName, NAME_MAX)}* · ${inline(handoff.accountName, NAME_MAX)} · ` +
            `${formatMoney(handoff.amountCents, handoff.currency)} · closed ${sinceClose(handoff.closedAt, now)}\n` +
            missingText(handoff.missing),
        ),
        accessory: {
          type: 'button',
          action_id: HANDOFF_OPEN_ACTION_ID,
          value: String(handoff.dealId),
          text: plainText('Finish handoff', SLACK_LIMITS.buttonText),
        },
      }),
    ),
    ...(rest > 0 ? [context(`…and ${count(rest, 'more handoff')} to finish`)] : []),
  ];
}

function paymentLine(p: HomePayment): string {
  const amount = formatMoney(p.amountCents, p.currency);
  const what = p.paidInFull
    ? `paid *${inline(p.invoiceNumber, NAME_MAX)}* in full (${amount})`
    : `paid ${amount} on *${inline(p.invoiceNumber, NAME_MAX)}*`;
  return `💰 *${inline(p.accountName, NAME_MAX)}* ${what} · ${slackDate(p.at)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// AR

function arBlocks(h: ArHome, now: Date): KnownBlock[] {
  return [
    { type: 'header', text: plainText('AR Bridge for finance', SLACK_LIMITS.header) },
    ...(h.chart
      ? [
          {
            type: 'image',
            slack_file: { id: h.chart.fileId },
            alt_text: h.chart.altText.slice(0, 2000),
            title: plainText(h.chart.title, SLACK_LIMITS.header),
          } as KnownBlock,
        ]
      : []),
    ...askBlocks('❓ Reps are asking AR', h.asks, h.moreAsks),
    titled('⚖️ Dispute queue', h.disputes.length + h.moreDisputes),
    ...lines(h.disputes, h.moreDisputes, BUDGET.arDisputes, {
      empty: 'No open disputes. 🎉',
      render: (inv) => invoiceLine(inv, { account: true, owner: true }),
    }),
    { type: 'divider' },
    titled('⏰ Oldest overdue', h.oldestOverdue.length + h.moreOverdue),
    ...lines(h.oldestOverdue, h.moreOverdue, BUDGET.arOverdue, {
      empty: 'Nothing is overdue. 🎉',
      render: (inv) => invoiceLine(inv, { account: true, owner: true }),
    }),
    { type: 'divider' },
    titled('📝 Handoffs waiting on reps', h.handoffsWaiting.length + h.moreHandoffsWaiting),
    ...lines(h.handoffsWaiting, h.moreHandoffsWaiting, BUDGET.arHandoffs, {
      empty: 'No handoffs waiting on reps. 🎉',
      render: (handoff) => waitingHandoffLine(handoff, now),
    }),
    { type: 'divider' },
    titled('🛑 On credit hold', h.onHold.length + h.moreOnHold),
    ...lines(h.onHold, h.moreOnHold, BUDGET.arOnHold, {
      empty: 'No accounts on credit hold.',
      render: (account) =>
        [
          `• *${inline(account.name, NAME_MAX)}*`,
          person(account.ownerUserId, 'no owner'),
          ...(account.since === null ? [] : [`since ${slackDate(account.since)}`]),
        ].join(' · '),
    }),
  ];
}

function waitingHandoffLine(handoff: HomeHandoff, now: Date): string {
  return [
    `• *${inline(handoff.dealName, NAME_MAX)}*`,
    inline(handoff.accountName, NAME_MAX),
    person(handoff.ownerUserId, 'no rep'),
    `closed ${sinceClose(handoff.closedAt, now)}`,
    missingText(handoff.missing),
  ].join(' · ');
}

// ---------------------------------------------------------------------------------------------------------------

/** A section title, with the total when there is one. */
function titled(title: string, total: number): KnownBlock {
  return { type: 'header', text: plainText(total > 0 ? `${title} (${total})` : title, SLACK_LIMITS.header) };
}

function lines<T>(
  items: readonly T[],
  more: number,
  budget: { maxItems: number; maxBlocks: number },
  opts: { empty: string; render: (item: T) => string },
): KnownBlock[] {
  if (items.length + more === 0) return [section(opts.empty)];
  return listSections({
    items,
    more,
    render: opts.render,
    ...budget,
    moreText: (n) => `…and ${n} more`,
  });
}

function invoiceLine(inv: HomeInvoice, show: { account: boolean; owner: boolean }): string {
  return [
    `• *${inline(inv.number, NAME_MAX)}*`,
    ...(show.account ? [inline(inv.accountName, NAME_MAX)] : []),
    ...invoiceFacts(inv),
    ...(show.owner ? [person(inv.ownerUserId, 'no owner')] : []),
  ].join(' · ');
}

function missingText(missing: readonly FieldKey[]): string {
  return missing.length > 0
    ? `Missing: ${listItems(missing.map((key) => FIELD_LABELS[key]))}`
    : 'Everything is filled in: open it and save.';
}

/** 'today', '1 day ago', '12 days ago'. */
function sinceClose(closedAt: Date, now: Date): string {
  const days = Math.max(0, Math.floor((now.getTime() - closedAt.getTime()) / DAY_MS));
  return days === 0 ? 'today' : `${count(days, 'day')} ago`;
}
