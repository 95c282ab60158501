/**
 * Helpers shared by the view tests (test/views/): fast-check arbitraries of hostile user text and of the data the
 * status views are built from, and ways to read and check the Slack blocks a view builds.
 */
import type { InputBlock, ModalView } from '@slack/types';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { FieldKey } from '../../src/domain/handoff.ts';
import type { SlackMessage } from '../../src/views/handoff-messages.ts';
import { SLACK_LIMITS, slackLimitProblems } from '../../src/views/text.ts';

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries

/** `arb`, or null. */
export const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

/** Text Slack would parse if a view let it through unescaped: mentions and the characters of its markup. */
const SLACK_SPECIALS = ['<!channel>', '<@U1>', '&', '<', '>'];
/** Markup inside text: a mention followed by bold, over a line break. */
export const MENTION_AND_BOLD = '<!channel> *bold*\n';
/** A link whose label hides where it goes. */
export const DISGUISED_LINK = '<https://evil.example|x>';

/**
 * Any text, however long or hostile: random strings (`minLength` and up), very long ones (3,000–6,000
 * characters), and one of `<!channel>`, `<@U1>`, `&`, `<`, `>` or the `more` pieces repeated up to 1,500 times.
 */
export function hostileTexts({
  minLength = 1,
  more = [],
}: {
  minLength?: number;
  more?: readonly string[];
} = {}): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ minLength }),
    fc.string({ minLength: 3000, maxLength: 6000 }),
    fc
      .constantFrom(...SLACK_SPECIALS, ...more)
      .chain((s) => fc.integer({ min: 1, max: 1500 }).map((n) => s.repeat(n))),
  );
}

/** The hostile text of the status views' data (/ar-status, App Home): may be empty, may hide a link. */
const statusText = hostileTexts({ minLength: 0, more: [MENTION_AND_BOLD, DISGUISED_LINK] });

/**
 * The values the status views (/ar-status, App Home) are built from, at their edges: any text is
 * {@link statusText}, owners include hostile and over-long ids, amounts run from −10¹² cents to the largest
 * safe integer.
 */
export const statusArbitraries = {
  hostileText: statusText,
  owner: fc.constantFrom(null, 'U0REP', 'W0AR', '<!channel>', 'U1', `U${'A'.repeat(300)}`),
  currency: fc.constantFrom('USD', 'EUR', 'JPY', 'BHD'),
  cents: fc.integer({ min: -1e12, max: Number.MAX_SAFE_INTEGER }),
  day: fc.oneof(fc.constantFrom('2026-03-01', '2026-12-31'), statusText),
  at: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
  /** Some of the fields a billing handoff can be missing. */
  missing: fc.subarray<FieldKey>(['legalEntity', 'billingAddress', 'apContactName', 'poNumber', 'currency']),
};

/**
 * A few distinct items (at most `maxLength`), then sometimes up to `maxCopies` copies of the first, made by
 * `copy` (the item itself unless given).
 */
export function manyWithCopies<T>(
  arb: fc.Arbitrary<T>,
  {
    maxLength,
    maxCopies,
    copy = (item) => item,
  }: { maxLength: number; maxCopies: number; copy?: (item: T, i: number) => T },
): fc.Arbitrary<T[]> {
  return fc
    .tuple(fc.array(arb, { maxLength }), fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxCopies })))
    .map(([items, n]) =>
      items.length === 0 ? items : [...items, ...Array.from({ length: n }, (_, i) => copy(items[0] as T, i))],
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Reading blocks

/** Every mrkdwn text anywhere in `value` (blocks, their fields, elements and accessories), in order. */
export function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (typeof value !== 'object' || value === null) return [];
  const node = value as Record<string, unknown>;
  const own = node.type === 'mrkdwn' && typeof node.text === 'string' ? [node.text] : [];
  return [...own, ...Object.values(node).flatMap(mrkdwnTexts)];
}

/** The text of each section block of a message that has one. */
export function sectionTexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : []));
}

/** A modal's input blocks, in order. */
export function inputs(view: ModalView): InputBlock[] {
  return view.blocks.filter((block): block is InputBlock => block.type === 'input');
}

/** A modal's input block with this block_id. */
export function input(view: ModalView, blockId: string): InputBlock | undefined {
  return inputs(view).find((block) => block.block_id === blockId);
}

// ---------------------------------------------------------------------------------------------------------------
// Checks

/** A user or workspace mention, as our views emit it. */
export const MENTION_TOKEN = /<@[UW]0[A-Z0-9]+>/g;
/** A Slack date token with its plain fallback. */
export const DATE_TOKEN = /<!date\^-?\d+\^[^|<>]+\|\d{4}-\d\d-\d\d>/g;

/** A message's blocks and its fallback text stay within Slack's limits for messages. */
export function expectMessageWithinLimits(message: SlackMessage): void {
  expect(slackLimitProblems(message, SLACK_LIMITS.messageBlocks)).toEqual([]);
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
}

/** The hostile mentions of {@link hostileTexts} are shown, not parsed: neither is left in the text or any mrkdwn. */
export function expectMentionsEscaped(message: SlackMessage): void {
  for (const text of [message.text, ...mrkdwnTexts(message.blocks)]) {
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U1>');
  }
}

/** Without the `allowed` tokens, no text has an angle bracket left: anything else would be user text Slack parses. */
export function expectOnlyAllowedTokens(texts: readonly string[], allowed: readonly RegExp[]): void {
  for (const text of texts) {
    const stripped = allowed.reduce((t, token) => t.replace(token, ''), text);
    expect(stripped).not.toMatch(/[<>]/);
  }
}
