/**
 * The weekly digest as a Block Kit message: the figures in words and numbers, then the charts as
 * `slack_file` image blocks. Lists are cut to a few lines with "and N more", so the message stays
 * well within Slack's 50 blocks and 3,000 characters per text whatever the week held.
 */
import type { KnownBlock } from '@slack/types';
import type { CurrencyAmount, DigestFigures, DsoFigures, OverdueByRep } from '../domain/digest.ts';
import { formatMoney } from '../domain/money.ts';
import { count, shortDay } from './ar-status.ts';
import { context, mention, mrkdwn, packLines, plainText, SLACK_LIMITS, section, slackDate } from './text.ts';

/** A chart the message shows: `fileKey` is its upload's dedupe key, replaced by the file id at delivery. */
export interface DigestImage {
  fileKey: string;
  title: string;
  altText: string;
}

export interface DigestMessageInput {
  figures: DigestFigures;
  /** Whose figures: "Your team (3 people)", "Everyone". */
  scope: string;
  images: readonly DigestImage[];
}

const LIST_MAX = 8;
/** Slack's limit for an image block's alt text. */
const ALT_TEXT_MAX = 2000;

export function money(amounts: readonly CurrencyAmount[], none = 'nothing'): string {
  return amounts.length === 0 ? none : amounts.map((a) => formatMoney(a.cents, a.currency)).join(' + ');
}

function percent(rate: number | null): string {
  return rate === null ? 'n/a' : `${Math.round(rate * 100)}%`;
}

function hours(h: number | null): string {
  if (h === null) return 'n/a';
  if (h < 48) return `${Math.round(h * 10) / 10} h`;
  return `${Math.round((h / 24) * 10) / 10} days`;
}

function more<T>(items: readonly T[], render: (item: T) => string, noun: string): string[] {
  const lines = items.slice(0, LIST_MAX).map(render);
  if (items.length > LIST_MAX) lines.push(`…and ${count(items.length - LIST_MAX, noun)} more`);
  return lines;
}

function sections(title: string, lines: readonly string[]): KnownBlock[] {
  return packLines([title, ...lines], SLACK_LIMITS.text).map((text) => section(text));
}

function handoffBlocks(f: DigestFigures['handoffs']): KnownBlock[] {
  return [
    {
      type: 'section',
      text: mrkdwn('*📝 Billing handoffs*'),
      fields: [
        mrkdwn(`*Deals closed*\n${f.closed}`),
        mrkdwn(`*Handoffs completed*\n${f.completed}`),
        mrkdwn(
          `*Completion rate*\n${percent(f.completionRate)}` +
            (f.closed > 0 ? ` (${f.closedAndCompleted} of ${f.closed} closed this week)` : ''),
        ),
        mrkdwn(`*Median time to complete*\n${hours(f.medianHoursToComplete)}`),
      ],
    },
    ...sections(
      '*Incomplete handoffs by rep*',
      f.incompleteByRep.length === 0
        ? ['None: every handoff is complete. 🎉']
        : more(f.incompleteByRep, (r) => `• ${mention(r.userId, 'no rep')}: ${r.count}`, 'rep'),
    ),
  ];
}

function overdueLine(r: OverdueByRep): string {
  return (
    `• ${mention(r.userId, 'no owner')}: ${money(r.amounts)} · ${count(r.count, 'invoice')} · ` +
    `oldest ${count(r.oldestDaysLate, 'day')} late (due ${shortDay(r.oldestDueOn)})`
  );
}

function dsoLine(d: DsoFigures): string {
  if (d.days === null) return `• ${d.currency}: no sales in the last 13 weeks`;
  const trend =
    d.change === null
      ? 'no figure a week ago'
      : d.change === 0
        ? 'unchanged from a week ago'
        : `${d.change < 0 ? '▼' : '▲'} ${Math.abs(d.change)} from ${d.weekAgo} a week ago`;
  return `• ${d.currency}: *${d.days} days* (${trend})`;
}

function disputeBlocks(d: DigestFigures['disputes']): KnownBlock[] {
  const lines =
    d.total === 0
      ? ['No disputes opened this week.']
      : [
          ...more(d.byReason, (r) => `• ${r.label}: ${r.count}`, 'reason'),
          d.discountMissing > 0
            ? `⚠️ *${count(d.discountMissing, 'dispute')}* for a discount missing or wrong: check that the ` +
              'handoff records every discount promised at close.'
            : 'No dispute for a missing or wrong discount. 👍',
        ];
  return sections(`*⚖️ Disputes opened: ${d.total}*`, lines);
}

export function digestMessage(input: DigestMessageInput): { text: string; blocks: KnownBlock[] } {
  const { figures: f, scope } = input;
  const blocks: KnownBlock[] = [
    { type: 'header', text: plainText(`📊 Weekly AR digest · ${scope}`, SLACK_LIMITS.header) },
    context(`The 7 days to ${slackDate(f.week.end, '{date_short_pretty} at {time}')}`),
    ...handoffBlocks(f.handoffs),
    { type: 'divider' },
    ...sections(
      `*⏰ Overdue: ${money(f.overdueTotal, 'nothing')}*`,
      f.overdueByRep.length === 0 ? ['Nothing is overdue. 🎉'] : more(f.overdueByRep, overdueLine, 'rep'),
    ),
    section(`*💰 Collected this week:* ${money(f.collected, 'nothing yet')}`),
    { type: 'divider' },
    ...disputeBlocks(f.disputes),
    ...sections(
      '*📅 Days sales outstanding*',
      f.dso.length === 0 ? ['No invoices in the last 13 weeks.'] : more(f.dso, dsoLine, 'currency'),
    ),
    ...input.images.map(
      (image): KnownBlock => ({
        type: 'image',
        slack_file: { id: image.fileKey },
        alt_text: image.altText.slice(0, ALT_TEXT_MAX),
        title: plainText(image.title, SLACK_LIMITS.header),
      }),
    ),
  ];
  const text =
    `Weekly AR digest (${scope}): ${count(f.handoffs.closed, 'deal')} closed, ` +
    `${count(f.handoffs.completed, 'handoff')} completed; overdue ${money(f.overdueTotal)}; collected ${money(f.collected)}; ` +
    `${count(f.disputes.total, 'dispute')} opened`;
  return { text: text.slice(0, SLACK_LIMITS.fallbackText), blocks };
}

/** The figures as plain text, for `npm run digest -- --dry-run`. */
export function digestText(input: Omit<DigestMessageInput, 'images'>): string {
  const { figures: f, scope } = input;
  const plain = (s: string) =>
    s.replace(/<@([A-Z0-9]+)>/g, '@$1').replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1');
  return [
    `Weekly AR digest · ${scope} · ${f.week.start.toISOString()} – ${f.week.end.toISOString()}`,
    `Handoffs: ${count(f.handoffs.closed, 'deal')} closed, ${f.handoffs.completed} completed, completion rate ` +
      `${percent(f.handoffs.completionRate)}, median ${hours(f.handoffs.medianHoursToComplete)} to complete`,
    ...f.handoffs.incompleteByRep.map(
      (r) => `  incomplete: ${plain(mention(r.userId, 'no rep'))} ${r.count}`,
    ),
    `Overdue: ${money(f.overdueTotal)}`,
    ...f.overdueByRep.map((r) => `  ${plain(overdueLine(r).slice(2))}`),
    `Collected this week: ${money(f.collected)}`,
    `Disputes opened: ${f.disputes.total} (discount missing or wrong: ${f.disputes.discountMissing})`,
    ...f.disputes.byReason.map((r) => `  ${r.label}: ${r.count}`),
    'DSO:',
    ...f.dso.map((d) => `  ${plain(dsoLine(d).slice(2)).replaceAll('*', '')}`),
    '',
  ].join('\n');
}
