/**
 * `/ar-status`: where one account stands, a rep's book, AR's ledger headline, a pick list when several accounts
 * match, and the help and no-match answers. Pure functions returning Block Kit; every piece of user text is
 * escaped, amounts in different currencies are never added together, and every list is cut so a message stays
 * within Slack's 50 blocks and 3,000 characters per text whatever the input size.
 */
import type { KnownBlock } from '@slack/types';
import type {
  AccountStatus,
  BookLine,
  Candidate,
  LedgerHeadline,
  MoneyByCurrency,
  RepBook,
  StatusInvoice,
  StatusUpdate,
} from '../db/status.ts';
import { AGING_BUCKETS, AGING_LABELS, UPDATE_KIND_LABELS } from '../domain/collections.ts';
import type { DisputeContext } from '../domain/dispute-context.ts';
import { FIELD_LABELS, isIsoDate } from '../domain/handoff.ts';
import { formatMoney } from '../domain/money.ts';
import { disputeContextText } from './dispute-context.ts';
import type { SlackMessage } from './handoff-messages.ts';
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

export const AR_STATUS_SHARE_ACTION_ID = 'ar_status_share';
export const AR_STATUS_PICK_ACTION_ID = 'ar_status_pick';

/** Longest piece of user text (account or deal name, invoice number, reason) shown inline. */
const NAME_MAX = 150;
const DOMAIN_MAX = 200;
const PERSON_MAX = 100;
const REASON_MAX = 300;
const NOTE_MAX = 280;
const QUERY_MAX = 100;
const URL_MAX = 2000;

const INVOICES_SHOWN = 10;
const INVOICE_BLOCKS = 4;
const DISPUTE_CONTEXTS_SHOWN = 3;
const REASONS_SHOWN = 10;
const REASON_BLOCKS = 2;
const UPDATES_SHOWN = 3;
const UPDATE_BLOCKS = 2;
const BOOK_SHOWN = 25;
const BOOK_BLOCKS = 10;
const CANDIDATES_SHOWN = 10;
const CLOSEST_SHOWN = 3;
const CURRENCIES_SHOWN = 10;
const AGING_CURRENCIES_SHOWN = 5;

/** `/ar-status <account>`: owner, handoff, open balance, aging, problem invoices, credit hold, latest updates. */
export function accountStatusMessage(
  s: AccountStatus,
  opts: { shareable: boolean; disputes?: ReadonlyArray<{ number: string; context: DisputeContext }> },
): SlackMessage {
  const name = inline(s.name, NAME_MAX);
  const open = nonZero(s.openBalance);
  const problems = s.problemInvoices.length + s.moreProblemInvoices;
  const fallback =
    `📒 ${name}: ${open.length > 0 ? `${moneyList(open)} open` : 'no open balance'}` +
    (problems > 0 ? `, ${count(problems, 'overdue or disputed invoice')}` : '') +
    (s.creditHold.on ? ', on credit hold' : '');
  return message(fallback, [
    { type: 'header', text: plainText(`📒 ${oneLine(s.name)}`, SLACK_LIMITS.header) },
    context(accountContext(s)),
    section(handoffLine(s.handoff)),
    section(open.length > 0 ? `💵 *Open balance:* ${moneyList(open)}` : '💵 No open balance.'),
    ...agingBlocks(s.aging),
    ...problemInvoiceBlocks(s.problemInvoices, s.moreProblemInvoices),
    ...(opts.disputes ?? []).slice(0, DISPUTE_CONTEXTS_SHOWN).map(disputeContextSection),
    ...creditHoldBlocks(s.creditHold),
    ...updateBlocks(s.recentUpdates),
    ...threadLinkBlocks(s.threadUrl),
    ...(opts.shareable ? [shareButton(s.accountId)] : []),
  ]);
}

/** `/ar-status` alone, for a rep: one line per account with an open balance, as given (overdue first). */
export function repBookMessage(b: RepBook): SlackMessage {
  const total = b.lines.length + b.moreLines;
  if (total === 0) {
    const empty = 'No open balances on your accounts. 🎉';
    return message(empty, [{ type: 'header', text: plainText('📒 Your book') }, section(empty), statusTip()]);
  }
  return message(`📒 Your book: ${count(total, 'account')} with an open balance.`, [
    { type: 'header', text: plainText('📒 Your book') },
    ...listSections({
      items: b.lines,
      more: b.moreLines,
      render: bookLine,
      maxItems: BOOK_SHOWN,
      maxBlocks: BOOK_BLOCKS,
      moreText: (n) => `…and ${count(n, 'more account')}`,
    }),
    statusTip(),
  ]);
}

/** `/ar-status` alone, for AR: the whole ledger at a glance. */
export function ledgerHeadlineMessage(l: LedgerHeadline): SlackMessage {
  const open = nonZero(l.totalOpen);
  const figures: Array<[string, number]> = [
    ['Overdue invoices', l.overdueInvoices],
    ['Open disputes', l.openDisputes],
    ['Handoffs waiting on reps', l.handoffsWaiting],
    ['Accounts on credit hold', l.accountsOnHold],
  ];
  const fallback = open.length > 0 ? `📊 AR ledger: ${moneyList(open)} open.` : '📊 AR ledger: nothing open.';
  return message(fallback, [
    { type: 'header', text: plainText('📊 AR ledger') },
    section(open.length > 0 ? `💵 *Total open:* ${moneyList(open)}` : '💵 No open balances. 🎉'),
    ...agingBlocks(l.aging),
    { type: 'section', fields: figures.map(([label, n]) => mrkdwn(`*${label}*\n${n}`)) },
    context(
      '`/ar-status &lt;account&gt;` shows one account in detail; the App Home lists the dispute queue.',
    ),
  ]);
}

/** Several accounts match: one line each with a "Show" button. */
export function pickListMessage(query: string, candidates: Candidate[]): SlackMessage {
  const intro = `Several accounts match “${inline(query, QUERY_MAX)}”:`;
  const shown = candidates.slice(0, CANDIDATES_SHOWN);
  const more = candidates.length - shown.length;
  return message(intro, [
    section(intro),
    ...shown.map(
      (c): KnownBlock => ({
        type: 'section',
        text: mrkdwn(candidateText(c)),
        accessory: {
          type: 'button',
          action_id: AR_STATUS_PICK_ACTION_ID,
          value: String(c.accountId),
          text: plainText('Show', SLACK_LIMITS.buttonText),
        },
      }),
    ),
    ...(more > 0 ? [context(`…and ${more} more. Try more of the name, or the domain.`)] : []),
  ]);
}

/** Nothing matches: say so, offer the closest names and explain what the command takes. */
export function noMatchMessage(query: string, closest: string[]): SlackMessage {
  const text = `🔍 No account, domain or invoice number matches “${inline(query, QUERY_MAX)}”.`;
  const names = closest.slice(0, CLOSEST_SHOWN).map((name) => `*${inline(name, NAME_MAX)}*`);
  return message(text, [
    section(text),
    ...(names.length > 0 ? [section(`Did you mean ${orList(names)}?`)] : []),
    context(
      '💡 `/ar-status` takes an account name, a domain like `acme.com`, or an invoice number like `INV-1042`; ' +
        '`/ar-status` alone shows your book.',
    ),
  ]);
}

/** `/ar-status help`. */
export function statusUsage(): SlackMessage {
  return message('`/ar-status` shows where an account stands.', [
    section(
      '*`/ar-status` shows where an account stands*: owner, billing handoff, open balance and aging, overdue and ' +
        'disputed invoices, credit hold and the latest collection updates.',
    ),
    section(
      [
        '• `/ar-status Acme`: by account name',
        '• `/ar-status acme.com`: by domain',
        '• `/ar-status INV-1042`: by invoice number',
        '• `/ar-status`: your own book (for AR, the whole ledger)',
      ].join('\n'),
    ),
    context('Only you see the answer; press *Share in channel* to post it for everyone.'),
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Shared with home.ts

/** Balance, lateness, dispute and promise of one invoice, escaped: ['$4,800.00', '45 days late', …]. */
export function invoiceFacts(inv: StatusInvoice): string[] {
  return [
    formatMoney(inv.balanceCents, inv.currency),
    inv.daysLate > 0 ? `${count(inv.daysLate, 'day')} late` : `due ${shortDay(inv.dueOn)}`,
    ...(inv.disputed
      ? [
          inv.disputeReasonLabel === null
            ? '⚖️ disputed'
            : `⚖️ disputed: ${inline(inv.disputeReasonLabel, REASON_MAX)}`,
        ]
      : []),
    ...(inv.promiseDate === null ? [] : [`promised ${shortDay(inv.promiseDate)}`]),
  ];
}

/** User text for one line: whitespace (newlines included) collapsed, escaped and shortened. */
export function inline(text: string, max: number): string {
  return userText(oneLine(text), max);
}

/** A Slack mention for a real user id; otherwise the escaped text or `fallback`; never overly long. */
export function person(userId: string | null, fallback: string): string {
  const text = mention(userId, fallback);
  return text.length <= PERSON_MAX ? text : inline(userId ?? fallback, PERSON_MAX);
}

/** 'YYYY-MM-DD' → 'Dec 3' (anything else is shown as it is, escaped). */
export function shortDay(day: string): string {
  return isIsoDate(day) ? shortDayFormat.format(new Date(`${day}T00:00:00Z`)) : inline(day, 30);
}

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export interface ListSectionsInput<T> {
  items: readonly T[];
  /** Items the caller already left out; they are added to the "more" count. */
  more: number;
  /** One mrkdwn line per item (already escaped). */
  render: (item: T) => string;
  maxItems: number;
  maxBlocks: number;
  moreText: (n: number) => string;
  /** A first line, e.g. a title. */
  title?: string;
}

/**
 * Packs an item per line into at most `maxBlocks` sections, showing at most `maxItems` and ending with
 * `moreText(n)` where n counts every item not shown (so shown + n = items.length + more).
 */
export function listSections<T>(input: ListSectionsInput<T>): KnownBlock[] {
  const rendered = input.items.slice(0, input.maxItems).map(input.render);
  const title = input.title === undefined ? [] : [input.title];
  for (let shown = rendered.length; ; shown--) {
    const rest = input.items.length - shown + input.more;
    const lines = [...title, ...rendered.slice(0, shown), ...(rest > 0 ? [input.moreText(rest)] : [])];
    const texts = packLines(lines);
    if (texts.length <= input.maxBlocks || shown === 0) return texts.slice(0, input.maxBlocks).map(section);
  }
}

// ---------------------------------------------------------------------------------------------------------------

const shortDayFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

function message(text: string, blocks: KnownBlock[]): SlackMessage {
  return { text: truncateMrkdwn(text, SLACK_LIMITS.fallbackText), blocks };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function nonZero(list: readonly MoneyByCurrency[]): MoneyByCurrency[] {
  return list.filter((m) => m.cents !== 0);
}

/** '$4,800.00 and €1,200.00': one amount per currency, never added together. */
function moneyList(list: readonly MoneyByCurrency[]): string {
  return listItems(
    list.map((m) => formatMoney(m.cents, m.currency)),
    CURRENCIES_SHOWN,
  );
}

function accountContext(s: AccountStatus): string {
  return [
    s.ownerUserId === null ? '👤 No rep owns this account' : `👤 Owner: ${person(s.ownerUserId, 'none')}`,
    ...(s.domain === null || s.domain.trim() === '' ? [] : [`🌐 ${inline(s.domain, DOMAIN_MAX)}`]),
    ...(s.creditHold.on ? ['🛑 *Credit hold*'] : []),
  ].join(' · ');
}

function handoffLine(handoff: AccountStatus['handoff']): string {
  if (handoff === null) return '🧾 *Billing handoff:* No deal in AR Bridge yet.';
  const deal = inline(handoff.dealName, NAME_MAX);
  const terms = handoff.terms === null ? 'terms not given yet' : `terms ${inline(handoff.terms, NAME_MAX)}`;
  if (handoff.complete) return `✅ *Billing handoff complete* for ${deal} · ${terms}`;
  const missing =
    handoff.missing.length > 0
      ? `missing ${listItems(handoff.missing.map((key) => FIELD_LABELS[key]))}`
      : 'not submitted yet';
  return `⚠️ *Billing handoff incomplete* for ${deal}: ${missing} · ${terms}`;
}

function agingBlocks(aging: LedgerHeadline['aging']): KnownBlock[] {
  const owing = aging.filter((a) => AGING_BUCKETS.some((bucket) => a.buckets[bucket] !== 0));
  const shown = owing.slice(0, AGING_CURRENCIES_SHOWN);
  const more = owing.length - shown.length;
  return [
    ...shown.map(
      (a): KnownBlock => ({
        type: 'section',
        text: mrkdwn(`*Aging (${inline(a.currency, 10)})*`),
        fields: AGING_BUCKETS.map((bucket) =>
          mrkdwn(`*${AGING_LABELS[bucket]}*\n${formatMoney(a.buckets[bucket], a.currency)}`),
        ),
      }),
    ),
    ...(more > 0 ? [context(`…and aging in ${more} more ${more === 1 ? 'currency' : 'currencies'}`)] : []),
  ];
}

function problemInvoiceBlocks(invoices: readonly StatusInvoice[], more: number): KnownBlock[] {
  if (invoices.length + more === 0) return [section('✅ No overdue or disputed invoices.')];
  return listSections({
    items: invoices,
    more,
    render: (inv) => `• ${[`*${inline(inv.number, NAME_MAX)}*`, ...invoiceFacts(inv)].join(' · ')}`,
    maxItems: INVOICES_SHOWN,
    maxBlocks: INVOICE_BLOCKS,
    moreText: (n) => `…and ${count(n, 'more overdue or disputed invoice')}`,
    title: '⏰ *Overdue and disputed invoices*, worst first',
  });
}

/** A disputed invoice with what its deal's handoff recorded. */
function disputeContextSection(d: { number: string; context: DisputeContext }): KnownBlock {
  const warning = d.context.noDiscountRecorded
    ? '\n⚠️ The handoff recorded no discount or special terms.'
    : '';
  return section(`⚖️ *${inline(d.number, NAME_MAX)}* ${disputeContextText(d.context)}${warning}`);
}

function creditHoldBlocks(hold: AccountStatus['creditHold']): KnownBlock[] {
  if (!hold.on) return [];
  if (hold.reasons.length === 0) return [section('🛑 *On credit hold.*')];
  return listSections({
    items: hold.reasons,
    more: 0,
    render: (reason) => `• ${inline(reason, REASON_MAX)}`,
    maxItems: REASONS_SHOWN,
    maxBlocks: REASON_BLOCKS,
    moreText: (n) => `…and ${count(n, 'more reason')}`,
    title: '🛑 *On credit hold* because:',
  });
}

function updateBlocks(updates: readonly StatusUpdate[]): KnownBlock[] {
  if (updates.length === 0) return [section('🗒️ No collection updates yet.')];
  return listSections({
    items: updates,
    more: 0,
    render: updateLine,
    maxItems: UPDATES_SHOWN,
    maxBlocks: UPDATE_BLOCKS,
    moreText: (n) => `…and ${count(n, 'earlier update')}`,
    title: '🗒️ *Latest collection updates*',
  });
}

function updateLine(u: StatusUpdate): string {
  const parts = [
    `• *${UPDATE_KIND_LABELS[u.kind]}*`,
    ...(u.invoiceNumber === null ? [] : [`on ${inline(u.invoiceNumber, NAME_MAX)}`]),
    ...(u.authorUserId === null ? [] : [`by ${person(u.authorUserId, 'someone')}`]),
  ];
  const head = `${parts.join(' ')}, ${slackDate(u.at, '{date_short_pretty} at {time}')}`;
  const note = u.note === null ? '' : oneLine(u.note);
  return note === '' ? head : `${head}\n${quote(userText(note, NOTE_MAX))}`;
}

function threadLinkBlocks(url: string | null): KnownBlock[] {
  if (url === null || !/^https?:\/\/\S+$/i.test(url)) return [];
  const safe = url
    .replaceAll('&', '&amp;')
    .replaceAll('<', '%3C')
    .replaceAll('>', '%3E')
    .replaceAll('|', '%7C');
  return safe.length > URL_MAX ? [] : [section(`🧵 <${safe}|Open the account thread>`)];
}

function shareButton(accountId: number): KnownBlock {
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: AR_STATUS_SHARE_ACTION_ID,
        value: String(accountId),
        text: plainText('Share in channel', SLACK_LIMITS.buttonText),
      },
    ],
  };
}

function bookLine(line: BookLine): string {
  const open = nonZero(line.openBalance);
  const overdue = nonZero(line.overdue);
  const parts = [
    `*${inline(line.name, NAME_MAX)}*`,
    open.length > 0 ? `${moneyList(open)} open` : 'nothing open',
    ...(overdue.length > 0 ? [`${moneyList(overdue)} overdue`] : []),
    ...(line.worstDaysLate > 0 ? [`up to ${count(line.worstDaysLate, 'day')} late`] : []),
    ...(line.disputes > 0 ? [`⚖️ ${count(line.disputes, 'dispute')}`] : []),
    ...(line.creditHold ? ['🛑 credit hold'] : []),
  ];
  return `• ${parts.join(' · ')}`;
}

function candidateText(c: Candidate): string {
  const details = [
    ...(c.domain === null || c.domain.trim() === '' ? [] : [inline(c.domain, DOMAIN_MAX)]),
    c.ownerUserId === null ? 'no owner' : `owner ${person(c.ownerUserId, 'none')}`,
  ];
  return `*${inline(c.name, NAME_MAX)}*\n${details.join(' · ')}`;
}

/** 'A', 'A or B', 'A, B or C'. */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

function statusTip(): KnownBlock {
  return context('`/ar-status &lt;account&gt;` shows one account in detail.');
}
