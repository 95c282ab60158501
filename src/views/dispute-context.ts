/**
 * The handoff's record quoted under a dispute: in the dispute ping and on /ar-status. Pure.
 */
import type { KnownBlock } from '@slack/types';
import type { DisputeContext } from '../domain/dispute-context.ts';
import { context, mention, quote, section, slackDate, userText } from './text.ts';

const DEAL_MAX = 200;
const VALUE_MAX = 400;

/** The facts as one quoted mrkdwn text (at most ~2,400 characters), for a section of its own. */
export function disputeContextText(ctx: DisputeContext): string {
  const source = ctx.fromLatestDeal ? "the account's latest deal, " : '';
  const title = `📋 *What the handoff recorded* (${source}_${userText(ctx.dealName, DEAL_MAX)}_):`;
  const lines = ctx.facts.map(
    (f) => `*${f.label}:* ${f.recorded ? userText(f.value, VALUE_MAX) : '— not recorded'}`,
  );
  const by = ctx.submitted
    ? `Handoff ${ctx.submitted.complete ? 'submitted' : 'saved unfinished'} by ${mention(ctx.submitted.byUserId)} on ${slackDate(ctx.submitted.at)}.`
    : 'The rep has not submitted the handoff; these are the CRM’s values.';
  return `${title}\n${quote(lines.join('\n'))}\n${by}`;
}

/** The blocks a dispute ping carries: the facts, and a warning when no discount was recorded. */
export function disputeContextBlocks(ctx: DisputeContext | null): KnownBlock[] {
  if (ctx === null) return [context('No billing handoff is on record for this account.')];
  return [
    section(disputeContextText(ctx)),
    ...(ctx.noDiscountRecorded
      ? [
          section(
            '⚠️ *The handoff recorded no discount or special terms* for this deal: a discount promised at close ' +
              'never reached the handoff.',
          ),
        ]
      : []),
  ];
}
