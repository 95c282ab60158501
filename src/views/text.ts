import type { KnownBlock, MrkdwnElement, PlainTextElement, View } from '@slack/types';

/** Slack's documented Block Kit limits that our views must respect. */
export const SLACK_LIMITS = {
  modalBlocks: 100,
  messageBlocks: 50,
  modalTitle: 24,
  modalButton: 24,
  text: 3000,
  sectionField: 2000,
  sectionFields: 10,
  header: 150,
  label: 2000,
  hint: 2000,
  placeholder: 150,
  optionText: 75,
  optionValue: 150,
  buttonText: 75,
  contextElements: 10,
  inputValue: 3000,
  /** Slack truncates `text` well before its 40,000 character hard limit; stay readable. */
  fallbackText: 3000,
} as const;

const ELLIPSIS = '…';
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** Escapes user text for mrkdwn so that `<!channel>`, `<@U1>` or `<https://…|x>` are shown, not parsed. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Shortens text to at most `max` UTF-16 units, ending with an ellipsis and never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - ELLIPSIS.length;
  if (isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
  return text.slice(0, cut) + ELLIPSIS;
}

/** Like `truncate`, for already escaped mrkdwn: never leaves half of an `&amp;` entity behind. */
export function truncateMrkdwn(mrkdwn: string, max: number): string {
  if (mrkdwn.length <= max) return mrkdwn;
  const cut = truncate(mrkdwn, max).slice(0, -ELLIPSIS.length);
  return cut.replace(/&[a-z]*$/, '') + ELLIPSIS;
}

/** Escapes and shortens one piece of user text for use inside mrkdwn. */
export function userText(text: string, max: number = SLACK_LIMITS.text): string {
  return truncateMrkdwn(escapeMrkdwn(text), max);
}

/** Quotes (already escaped) mrkdwn as a block quote, line by line. */
export function quote(mrkdwn: string): string {
  return mrkdwn
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
}

/** The most a person shown by something other than a Slack user id takes. */
const MENTION_TEXT_MAX = 100;

/** `<@U…>` for a real Slack user id, otherwise the escaped text (or a fallback when there is none). */
export function mention(userId: string | null, fallback = 'someone'): string {
  if (userId === null) return fallback;
  // Not a Slack user id (a name or an email from a CRM): shown as text, escaped and kept short.
  return SLACK_USER_ID.test(userId) ? `<@${userId}>` : userText(userId, MENTION_TEXT_MAX);
}

/** Slack date token: rendered in the reader's own time zone, falling back to the UTC day. */
export function slackDate(date: Date, format = '{date_short_pretty}'): string {
  const seconds = Math.floor(date.getTime() / 1000);
  return `<!date^${seconds}^${format}|${isoDay(date)}>`;
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Joins items as "A, B and C", shortening to "A, B and 3 more" past `max` items. */
export function listItems(items: readonly string[], max = 6): string {
  const shown = items.length > max ? [...items.slice(0, max - 1), `${items.length - max + 1} more`] : items;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}

/** Packs lines into as few texts as possible, each at most `max` characters (long lines are shortened). */
export function packLines(lines: readonly string[], max: number = SLACK_LIMITS.text): string[] {
  const texts: string[] = [];
  let current = '';
  for (const line of lines.map((l) => truncateMrkdwn(l, max))) {
    if (current && current.length + 1 + line.length > max) {
      texts.push(current);
      current = line;
    } else {
      current = current ? `${current}\n${line}` : line;
    }
  }
  if (current) texts.push(current);
  return texts;
}

export function plainText(text: string, max: number = SLACK_LIMITS.text): PlainTextElement {
  return { type: 'plain_text', text: truncate(text, max) || ' ', emoji: true };
}

export function mrkdwn(text: string, max: number = SLACK_LIMITS.text): MrkdwnElement {
  return { type: 'mrkdwn', text: truncateMrkdwn(text, max) || ' ' };
}

export function section(text: string): KnownBlock {
  return { type: 'section', text: mrkdwn(text) };
}

export function context(text: string): KnownBlock {
  return { type: 'context', elements: [mrkdwn(text)] };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

type Json = unknown;
type Node = Record<string, Json>;

interface LimitReport {
  problems: string[];
  /** Checks a text object's (or a string's) length against `max`. */
  text(path: string, text: Json, max: number): void;
}

/**
 * Lists every way a message's blocks or a view break Slack's limits: block count, text lengths (text objects,
 * headers, section fields, labels, hints, placeholders, options, buttons), initial values. Meant for tests of
 * view builders; an empty list means Slack will accept it.
 */
export function slackLimitProblems(surface: { blocks: readonly Json[] } | View, maxBlocks: number): string[] {
  const report = limitReport();
  if (surface.blocks.length > maxBlocks)
    report.problems.push(`${surface.blocks.length} blocks > ${maxBlocks}`);
  if ('title' in surface) report.text('title', surface.title, SLACK_LIMITS.modalTitle);
  walk(surface.blocks, 'blocks', (path, node) => checkNode(report, path, node));
  return report.problems;
}

function limitReport(): LimitReport {
  const problems: string[] = [];
  return {
    problems,
    text(path, text, max) {
      const value = isObject(text) ? text.text : text;
      if (typeof value !== 'string') return;
      if (value.length === 0) problems.push(`${path}: empty text`);
      if (value.length > max) problems.push(`${path}: ${value.length} characters > ${max}`);
    },
  };
}

const CHILD_LIMITS: Record<string, number> = {
  label: SLACK_LIMITS.label,
  hint: SLACK_LIMITS.hint,
  placeholder: SLACK_LIMITS.placeholder,
  initial_value: SLACK_LIMITS.inputValue,
};

function checkNode(report: LimitReport, path: string, node: Node): void {
  if (node.type === 'plain_text' || node.type === 'mrkdwn') report.text(path, node, SLACK_LIMITS.text);
  if (node.type === 'header') report.text(`${path}.text`, node.text, SLACK_LIMITS.header);
  if (node.type === 'button') report.text(`${path}.text`, node.text, SLACK_LIMITS.buttonText);
  for (const [key, max] of Object.entries(CHILD_LIMITS)) report.text(`${path}.${key}`, node[key], max);
  const options = [...asArray(node.options), node.initial_option].filter(isObject);
  for (const option of options) report.text(`${path}.options`, option.text, SLACK_LIMITS.optionText);
  const fields = asArray(node.fields);
  if (fields.length > SLACK_LIMITS.sectionFields)
    report.problems.push(`${path}: ${fields.length} fields > ${SLACK_LIMITS.sectionFields}`);
  for (const field of fields) report.text(`${path}.fields`, field, SLACK_LIMITS.sectionField);
  if (typeof node.max_length === 'number' && node.max_length > SLACK_LIMITS.inputValue) {
    report.problems.push(`${path}: max_length ${node.max_length} > ${SLACK_LIMITS.inputValue}`);
  }
}

function walk(value: Json, path: string, visit: (path: string, node: Node) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      walk(item, `${path}[${i}]`, visit);
    });
  } else if (isObject(value)) {
    visit(path, value);
    for (const [key, child] of Object.entries(value)) walk(child, `${path}.${key}`, visit);
  }
}

function asArray(value: Json): Json[] {
  return Array.isArray(value) ? value : [];
}

function isObject(value: Json): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
