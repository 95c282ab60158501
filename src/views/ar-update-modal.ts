/**
 * The `/ar-update` modal AR staff use to log a collection update: what it is about (an invoice or an account),
 * its kind, and only the fields that kind needs. Picking a kind re-renders the modal (dispatch_action).
 */
import type { InputBlock, ModalView, PlainTextElement } from '@slack/types';
import { z } from 'zod';
import type { ArTargetType, ArUpdateDraft, ArUpdateField } from '../domain/ar-update.ts';
import {
  DISPUTE_REASONS,
  isDisputeReason,
  isUpdateKind,
  KIND_NEEDS_INVOICE,
  UPDATE_KIND_LABELS,
  UPDATE_KINDS,
  type UpdateKind,
} from '../domain/collections.ts';
import { isIsoDate } from '../domain/handoff.ts';
import { plainText, SLACK_LIMITS } from './text.ts';

export const AR_UPDATE_CALLBACK_ID = 'ar_update';
export const AR_TARGET_ACTION_ID = 'ar_target';
export const AR_KIND_ACTION_ID = 'ar_kind';
/** The action_id of every other input. */
export const AR_VALUE_ACTION_ID = 'value';

/** The modal's block ids (for `response_action: 'errors'`). */
export const AR_UPDATE_BLOCKS = {
  target: 'target',
  kind: 'kind',
  promiseDate: 'promise_date',
  disputeReason: 'dispute_reason',
  amount: 'amount',
  note: 'note',
} as const;

export const AR_NOTE_MAX_LENGTH = 2000;

/** To someone outside AR who typed /ar-update (only they see it). */
export function arUpdateRefusal(): { text: string } {
  return {
    text:
      'Sorry, `/ar-update` is for the AR team: collection updates go on the record. ' +
      'To see where an account stands, try `/ar-status`; to flag something for AR, reply in the account’s thread in the finance channel.',
  };
}

/** Problems with a draft, keyed by the modal's block ids (for `response_action: 'errors'`). */
export function arUpdateErrors(problems: Partial<Record<ArUpdateField, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(problems).map(([field, problem]) => [AR_UPDATE_BLOCKS[field as ArUpdateField], problem]),
  );
}

/** A select option whose value is always set (Slack's `PlainTextOption` leaves it optional). */
export interface SelectOption {
  text: PlainTextElement;
  value: string;
}

export interface ArUpdateModalInput {
  /** The invoice or account picked so far, as a select option (value from `targetOption`). */
  target: { value: string; label: string } | null;
  kind: UpdateKind | null;
}

export function arUpdateModal(input: ArUpdateModalInput): ModalView {
  const { kind } = input;
  return {
    type: 'modal',
    callback_id: AR_UPDATE_CALLBACK_ID,
    title: plainText('Collection update', SLACK_LIMITS.modalTitle),
    submit: plainText('Log update', SLACK_LIMITS.modalButton),
    close: plainText('Cancel', SLACK_LIMITS.modalButton),
    blocks: [
      targetBlock(input.target, kind),
      kindBlock(kind),
      ...(kind === 'promise_to_pay' ? [promiseDateBlock()] : []),
      ...(kind === 'dispute_opened' ? [disputeReasonBlock()] : []),
      ...(kind === 'payment_received' ? [amountBlock()] : []),
      noteBlock(kind),
    ],
  };
}

/** An option for the invoice/account picker; its value is 'invoice:<id>' or 'account:<id>'. */
export function targetOption(t: { type: ArTargetType; id: number; label: string }): SelectOption {
  return option(`${t.type}:${t.id}`, t.label);
}

const TARGET_VALUE = /^(invoice|account):([1-9]\d{0,15})$/;

/** 'invoice:12' → { type: 'invoice', id: 12 }; anything else → null. */
export function parseTargetValue(value: string): { type: ArTargetType; id: number } | null {
  const match = TARGET_VALUE.exec(value);
  if (!match) return null;
  const id = Number(match[2]);
  return Number.isSafeInteger(id) ? { type: match[1] as ArTargetType, id } : null;
}

function targetBlock(target: ArUpdateModalInput['target'], kind: UpdateKind | null): InputBlock {
  const hint =
    kind !== null && KIND_NEEDS_INVOICE[kind]
      ? `A ${UPDATE_KIND_LABELS[kind].toLowerCase()} update is about one invoice: pick an invoice.`
      : 'Type an invoice number or part of an account name.';
  return {
    type: 'input',
    block_id: AR_UPDATE_BLOCKS.target,
    optional: false,
    label: plainText('Invoice or account', SLACK_LIMITS.label),
    hint: plainText(hint, SLACK_LIMITS.hint),
    element: {
      type: 'external_select',
      action_id: AR_TARGET_ACTION_ID,
      min_query_length: 1,
      placeholder: plainText('Invoice number or account', SLACK_LIMITS.placeholder),
      ...(target ? { initial_option: option(target.value, target.label) } : {}),
    },
  };
}

function kindBlock(kind: UpdateKind | null): InputBlock {
  const options = UPDATE_KINDS.map((k) => option(k, UPDATE_KIND_LABELS[k]));
  const initial = options.find((o) => o.value === kind);
  return {
    type: 'input',
    block_id: AR_UPDATE_BLOCKS.kind,
    optional: false,
    dispatch_action: true,
    label: plainText('What happened?', SLACK_LIMITS.label),
    element: {
      type: 'static_select',
      action_id: AR_KIND_ACTION_ID,
      placeholder: plainText('Pick the kind of update', SLACK_LIMITS.placeholder),
      options,
      ...(initial ? { initial_option: initial } : {}),
    },
  };
}

function promiseDateBlock(): InputBlock {
  return {
    type: 'input',
    block_id: AR_UPDATE_BLOCKS.promiseDate,
    optional: false,
    label: plainText('Promised payment date', SLACK_LIMITS.label),
    hint: plainText('Past-due alerts pause until this day; if it passes unpaid, the rep is told once.'),
    element: {
      type: 'datepicker',
      action_id: AR_VALUE_ACTION_ID,
      placeholder: plainText('Pick a date', SLACK_LIMITS.placeholder),
    },
  };
}

function disputeReasonBlock(): InputBlock {
  return {
    type: 'input',
    block_id: AR_UPDATE_BLOCKS.disputeReason,
    optional: false,
    label: plainText('Dispute reason', SLACK_LIMITS.label),
    hint: plainText('The rep is pinged with this reason; past-due alerts pause until it is resolved.'),
    element: {
      type: 'static_select',
      action_id: AR_VALUE_ACTION_ID,
      placeholder: plainText('Pick a reason', SLACK_LIMITS.placeholder),
      options: DISPUTE_REASONS.map((r) => option(r.value, r.label)),
    },
  };
}

function amountBlock(): InputBlock {
  return {
    type: 'input',
    block_id: AR_UPDATE_BLOCKS.amount,
    optional: false,
    label: plainText('Amount received', SLACK_LIMITS.label),
    hint: plainText('In the invoice’s currency.'),
    element: {
      type: 'plain_text_input',
      action_id: AR_VALUE_ACTION_ID,
      max_length: 30,
      placeholder: plainText('e.g. 1250.00', SLACK_LIMITS.placeholder),
    },
  };
}

function noteBlock(kind: UpdateKind | null): InputBlock {
  return {
    type: 'input',
    block_id: AR_UPDATE_BLOCKS.note,
    // Slack prints "(optional)" after the label of an optional input: a note is needed for a note only.
    optional: kind !== 'note',
    label: plainText('Note', SLACK_LIMITS.label),
    element: {
      type: 'plain_text_input',
      action_id: AR_VALUE_ACTION_ID,
      multiline: true,
      max_length: AR_NOTE_MAX_LENGTH,
      placeholder: plainText('What was said or agreed; it is posted in the account thread.'),
    },
  };
}

export function option(value: string, text: string): SelectOption {
  return { text: plainText(text, SLACK_LIMITS.optionText), value };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading a submission (or a redraw after the kind changed)

const elementState = z
  .object({
    value: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
    selected_date: z.string().nullish(),
  })
  .catch({});

type ElementState = z.infer<typeof elementState>;

export function stateOf(values: Record<string, Record<string, unknown>>, blockId: string): ElementState {
  const block = values[blockId];
  const state = block && typeof block === 'object' ? Object.values(block)[0] : undefined;
  return elementState.parse(state ?? {});
}

function trimmed(value: string | null | undefined): string | null {
  return value?.trim() || null;
}

/**
 * Reads the modal's `view.state.values`, tolerating missing blocks and values of the wrong shape. Fields that do
 * not apply to the chosen kind (a promise date on a note, say) come back null.
 */
export function readArUpdateState(values: Record<string, Record<string, unknown>>): ArUpdateDraft {
  const targetValue = stateOf(values, AR_UPDATE_BLOCKS.target).selected_option?.value;
  const kindValue = stateOf(values, AR_UPDATE_BLOCKS.kind).selected_option?.value;
  const kind = kindValue !== undefined && isUpdateKind(kindValue) ? kindValue : null;
  const date = trimmed(stateOf(values, AR_UPDATE_BLOCKS.promiseDate).selected_date);
  const reason = stateOf(values, AR_UPDATE_BLOCKS.disputeReason).selected_option?.value;
  return {
    target: targetValue === undefined ? null : parseTargetValue(targetValue),
    kind,
    note: trimmed(stateOf(values, AR_UPDATE_BLOCKS.note).value),
    promiseDate: kind === 'promise_to_pay' && date !== null && isIsoDate(date) ? date : null,
    disputeReason:
      kind === 'dispute_opened' && reason !== undefined && isDisputeReason(reason) ? reason : null,
    amountText: kind === 'payment_received' ? trimmed(stateOf(values, AR_UPDATE_BLOCKS.amount).value) : null,
  };
}

const pickedTarget = z
  .object({ selected_option: z.object({ value: z.string(), text: z.object({ text: z.string() }) }) })
  .transform((s) => ({ value: s.selected_option.value, label: s.selected_option.text.text }))
  .nullable()
  .catch(null);

/** The modal again after the kind changed: the same target, the fields the new kind asks for. */
export function arUpdateModalRedrawn(values: Record<string, Record<string, unknown>>): ModalView {
  const target = pickedTarget.parse(values[AR_UPDATE_BLOCKS.target]?.[AR_TARGET_ACTION_ID] ?? null);
  return arUpdateModal({ target, kind: readArUpdateState(values).kind });
}
