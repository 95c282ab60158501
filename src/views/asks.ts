/**
 * Asks between AR and reps: the modals that start and answer one, and the messages about it (in
 * the account's thread, the rep's reminder DM, the escalation). Pure; user text is escaped.
 */
import type { ActionsBlock, KnownBlock, ModalView } from '@slack/types';
import type { Ask } from '../db/schema.ts';
import { ANSWER_MAX, type AskDraft, QUESTION_MAX } from '../domain/asks.ts';
import { formatDay } from '../domain/handoff.ts';
import { AR_TARGET_ACTION_ID, option, parseTargetValue, stateOf } from './ar-update-modal.ts';
import { noticeModal } from './common.ts';
import type { SlackMessage } from './handoff-messages.ts';
import {
  context,
  listItems,
  mention,
  plainText,
  quote,
  SLACK_LIMITS,
  section,
  truncate,
  truncateMrkdwn,
  userText,
} from './text.ts';

export const ASK_OPEN_ACTION_ID = 'ask_open';
export const ASK_ANSWER_ACTION_ID = 'ask_answer';
export const ASK_CALLBACK_ID = 'ask_create';
export const ANSWER_CALLBACK_ID = 'ask_answer_submit';
export const SEND_TO_AR_CALLBACK_ID = 'ask_send_to_ar';
export const SEND_TO_AR_SHORTCUT_ID = 'send_to_ar';

const NAME_MAX = 200;
const TEXT_MAX = 2000;
const AR_SHOWN = 10;

type Target = { value: string; label: string } | null;

/** "Ask the rep", for a ping's actions: its value names the invoice or account. */
export function askRepButton(value: string) {
  return {
    type: 'button' as const,
    action_id: ASK_OPEN_ACTION_ID,
    value,
    text: plainText('Ask the rep', SLACK_LIMITS.buttonText),
  };
}

function targetBlock(target: Target, label: string): KnownBlock {
  return {
    type: 'input',
    block_id: 'target',
    label: plainText(label),
    element: {
      type: 'external_select',
      action_id: AR_TARGET_ACTION_ID,
      min_query_length: 1,
      placeholder: plainText('Invoice number or account', SLACK_LIMITS.placeholder),
      ...(target ? { initial_option: option(target.value, target.label) } : {}),
    },
  };
}

function textBlock(blockId: string, label: string, initial: string | null, max: number): KnownBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plainText(label),
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      multiline: true,
      max_length: max,
      ...(initial ? { initial_value: truncate(initial, Math.min(max, SLACK_LIMITS.inputValue)) } : {}),
    },
  };
}

export type AskPrompt =
  | { status: 'forbidden' }
  | { status: 'not_found' }
  | { status: 'ask'; target: { value: string; label: string } | null; initialDueOn: string };

/** The modal an ask starts with: the ask itself, or why not. */
export function askPromptModal(prompt: AskPrompt): ModalView {
  switch (prompt.status) {
    case 'forbidden':
      return noticeModal('AR only', 'Asking a rep for something is for the AR team.');
    case 'not_found':
      return noticeModal('Not found', 'That invoice or account no longer exists.');
    case 'ask':
      return askModal(prompt);
  }
}

/** AR asks the owning rep for something, with a due date (from a ping, or `/ar-update ask …`). */
export function askModal(input: { target: Target; initialDueOn: string }): ModalView {
  return {
    type: 'modal',
    callback_id: ASK_CALLBACK_ID,
    title: plainText('Ask the rep', SLACK_LIMITS.modalTitle),
    submit: plainText('Ask', SLACK_LIMITS.modalButton),
    close: plainText('Cancel', SLACK_LIMITS.modalButton),
    blocks: [
      targetBlock(input.target, 'Invoice or account'),
      textBlock('question', 'What do you need from the rep?', null, QUESTION_MAX),
      {
        type: 'input',
        block_id: 'due_on',
        label: plainText('Needed by'),
        element: { type: 'datepicker', action_id: 'value', initial_date: input.initialDueOn },
      },
      context(
        'The rep is pinged in the account’s thread, sees it on their App Home and is reminded in their working hours.',
      ),
    ],
  };
}

/** "Send to AR" on a message: the customer's question, the account it is about. */
export function sendToArModal(input: { question: string; channel: string; ts: string }): ModalView {
  return {
    type: 'modal',
    callback_id: SEND_TO_AR_CALLBACK_ID,
    private_metadata: JSON.stringify({ channel: input.channel, ts: input.ts }),
    title: plainText('Send to AR', SLACK_LIMITS.modalTitle),
    submit: plainText('Send', SLACK_LIMITS.modalButton),
    close: plainText('Cancel', SLACK_LIMITS.modalButton),
    blocks: [
      targetBlock(null, 'Which customer (or invoice)?'),
      textBlock('question', 'The question for AR', input.question, QUESTION_MAX),
      context('AR gets it in the account’s thread, with a link to the original message.'),
    ],
  };
}

/** The answer to an ask. */
export function answerModal(ask: Pick<Ask, 'id' | 'question' | 'asked_by'>): ModalView {
  return {
    type: 'modal',
    callback_id: ANSWER_CALLBACK_ID,
    private_metadata: JSON.stringify({ askId: ask.id }),
    title: plainText('Answer', SLACK_LIMITS.modalTitle),
    submit: plainText('Send answer', SLACK_LIMITS.modalButton),
    close: plainText('Cancel', SLACK_LIMITS.modalButton),
    blocks: [
      section(`${mention(ask.asked_by)} asked:\n${quote(userText(ask.question, TEXT_MAX))}`),
      textBlock('answer', 'Your answer', null, ANSWER_MAX),
    ],
  };
}

/** What an ask modal's inputs hold. */
export function readAskState(values: Record<string, Record<string, unknown>>): AskDraft & {
  target: ReturnType<typeof parseTargetValue>;
} {
  const target = stateOf(values, 'target').selected_option?.value;
  return {
    target: target === undefined ? null : parseTargetValue(target),
    question: stateOf(values, 'question').value?.trim() || null,
    dueOn: stateOf(values, 'due_on').selected_date ?? null,
  };
}

export function readAnswer(values: Record<string, Record<string, unknown>>): string | null {
  return stateOf(values, 'answer').value?.trim() || null;
}

function answerButton(askId: number, label = 'Answer'): ActionsBlock {
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ASK_ANSWER_ACTION_ID,
        value: String(askId),
        style: 'primary',
        text: plainText(label, SLACK_LIMITS.buttonText),
      },
    ],
  };
}

function about(accountName: string, invoiceNumber: string | null): string {
  const account = `*${userText(accountName, NAME_MAX)}*`;
  return invoiceNumber ? `${account} (${userText(invoiceNumber, NAME_MAX)})` : account;
}

function message(text: string, blocks: KnownBlock[]): SlackMessage {
  return { text: truncateMrkdwn(text, SLACK_LIMITS.fallbackText), blocks };
}

export interface AskAbout {
  ask: Pick<Ask, 'id' | 'question' | 'asked_by' | 'asked_of' | 'due_on' | 'source_link'>;
  accountName: string;
  invoiceNumber: string | null;
}

/** AR's ask, in the account's thread, mentioning the rep. */
export function askPost(a: AskAbout): SlackMessage {
  const due = a.ask.due_on ? ` · needed by *${formatDay(a.ask.due_on)}*` : '';
  const head = `❓ ${mention(a.ask.asked_by)} asks ${mention(a.ask.asked_of, 'the rep')} about ${about(a.accountName, a.invoiceNumber)}${due}`;
  return message(`${head}: ${userText(a.ask.question, 300)}`, [
    section(`${head}\n${quote(userText(a.ask.question, TEXT_MAX))}`),
    answerButton(a.ask.id),
    context('Answer here with the button, or reply in this thread.'),
  ]);
}

/** A customer's question a rep passed to AR, in the account's thread, with the original linked. */
export function toArPost(a: AskAbout & { arUserIds: readonly string[] }): SlackMessage {
  const ar =
    a.arUserIds.length > 0
      ? listItems(
          a.arUserIds.slice(0, AR_SHOWN).map((u) => mention(u)),
          AR_SHOWN,
        )
      : 'AR';
  const head = `📨 ${mention(a.ask.asked_by)} passes on a customer question about ${about(a.accountName, a.invoiceNumber)} for ${ar}`;
  const link = a.ask.source_link ? [context(`<${a.ask.source_link}|The original message>`)] : [];
  return message(`${head}: ${userText(a.ask.question, 300)}`, [
    section(`${head}\n${quote(userText(a.ask.question, TEXT_MAX))}`),
    ...link,
    answerButton(a.ask.id),
  ]);
}

/** The answer, in the account's thread; the ask is closed. */
export function askAnsweredPost(a: AskAbout & { answer: string; answeredBy: string }): SlackMessage {
  const to = mention(a.ask.asked_by);
  const head = `✅ ${mention(a.answeredBy)} answered ${to} about ${about(a.accountName, a.invoiceNumber)}`;
  return message(`${head}: ${userText(a.answer, 300)}`, [
    section(`${head}\n*Asked:* ${userText(a.ask.question, 500)}\n${quote(userText(a.answer, TEXT_MAX))}`),
  ]);
}

/** The rep's reminder DM, in their working hours. */
export function askReminderDm(a: AskAbout): SlackMessage {
  const due = a.ask.due_on ? ` by ${formatDay(a.ask.due_on)}` : '';
  const head = `⏳ ${mention(a.ask.asked_by)} still needs an answer from you${due} about ${about(a.accountName, a.invoiceNumber)}`;
  return message(head, [
    section(`${head}\n${quote(userText(a.ask.question, TEXT_MAX))}`),
    answerButton(a.ask.id),
  ]);
}

/** An overdue ask, escalated to the rep's manager in the account's thread. */
export function askEscalationPost(a: AskAbout & { managerUserId: string }): SlackMessage {
  const due = a.ask.due_on ? formatDay(a.ask.due_on) : 'its due date';
  const head =
    `🚩 ${mention(a.managerUserId)}: ${mention(a.ask.asked_by)}'s question to ${mention(a.ask.asked_of, 'the rep')} about ` +
    `${about(a.accountName, a.invoiceNumber)} was needed by ${due} and is still open`;
  return message(head, [
    section(`${head}\n${quote(userText(a.ask.question, TEXT_MAX))}`),
    answerButton(a.ask.id),
  ]);
}
