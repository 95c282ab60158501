/**
 * The billing-handoff (intake) modal: rendering it from the current fields, reading a submission back, and
 * mapping validation problems to its blocks. Every input is optional in Slack; completeness is judged server-side
 * so a rep can save an incomplete handoff and finish later.
 */
import type {
  InputBlockElement,
  KnownBlock,
  ModalView,
  PlainTextElement,
  PlainTextOption,
} from '@slack/types';
import { z } from 'zod';
import type { DealContext } from '../db/deals.ts';
import {
  applicableOnly,
  BILLING_FREQUENCY_LABELS,
  CUSTOM_TERMS_MAX_DAYS,
  CUSTOM_TERMS_MIN_DAYS,
  currentFields,
  DELIVERY_METHOD_LABELS,
  FIELD_KEYS,
  FIELD_LABELS,
  type FieldKey,
  type HandoffFields,
  isApplicable,
  isCustomTermsDays,
  isIsoDate,
  isRequired,
  MAX_LENGTHS,
  PAYMENT_TERMS_LABELS,
  parseStoredFields,
  snakeKey,
  termsApprovalReason,
  validateHandoff,
} from '../domain/handoff.ts';
import { formatMoney } from '../domain/money.ts';
import { noticeModal } from './common.ts';
import { context, plainText, SLACK_LIMITS, section, truncate, userText } from './text.ts';

export const INTAKE_CALLBACK_ID = 'handoff_intake';
export const INTAKE_DISPATCH_ACTION_PREFIX = 'intake_dispatch:';
/** The action_id of every input that does not re-render the modal when answered. */
export const INTAKE_VALUE_ACTION_ID = 'value';

export interface IntakeModalInput {
  dealId: number;
  dealName: string;
  accountName: string;
  amountCents: number;
  currency: string;
  fields: HandoffFields;
  standardTermsDays: number;
}

export interface IntakeMetadata {
  dealId: number;
}

type InputKind = 'text' | 'longText' | 'email' | 'url' | 'days' | 'yesNo' | 'choice' | 'date' | 'currency';

interface InputSpec {
  kind: InputKind;
  /** Defaults to FIELD_LABELS. */
  label?: string;
  hint?: string;
  placeholder?: string;
  choices?: Record<string, string>;
  /** Answering re-renders the modal (dependent inputs appear or disappear). */
  dispatch?: boolean;
}

const INPUTS: Record<FieldKey, InputSpec> = {
  legalEntity: {
    kind: 'text',
    hint: 'Exactly as it should appear on the invoice.',
    placeholder: 'Acme Holdings, Inc.',
  },
  billingAddress: { kind: 'longText' },
  apContactName: { kind: 'text', label: 'AP / billing contact name' },
  apContactEmail: { kind: 'email', label: 'AP / billing contact email', placeholder: 'ap@customer.com' },
  apContactPhone: { kind: 'text', label: 'AP / billing contact phone', placeholder: '+1 415 555 0100' },
  signerIsPayer: {
    kind: 'yesNo',
    label: 'Is the contract signer also the person who pays?',
    hint: 'Often not: invoices usually go to the AP team, not the signer.',
  },
  paymentTerms: {
    kind: 'choice',
    choices: { ...PAYMENT_TERMS_LABELS, custom: 'Custom (number of days)' },
    dispatch: true,
  },
  customTermsDays: { kind: 'days', label: 'Custom payment terms (days)' },
  poRequired: { kind: 'yesNo', label: 'Does the customer require a PO number on invoices?', dispatch: true },
  poNumber: { kind: 'text' },
  deliveryMethod: {
    kind: 'choice',
    label: 'How should invoices be delivered?',
    choices: DELIVERY_METHOD_LABELS,
    dispatch: true,
  },
  portalName: { kind: 'text', placeholder: 'SAP Ariba, Coupa, …' },
  portalUrl: { kind: 'url', placeholder: 'https://' },
  portalSupplierId: {
    kind: 'text',
    hint: 'For example our Ariba Network ID (ANID), if the customer gave us one.',
  },
  senderAllowlisted: {
    kind: 'yesNo',
    label: 'Has the customer allow-listed our billing sender address?',
    hint: 'So our invoices don’t land in spam.',
  },
  hasSpecialTerms: {
    kind: 'yesNo',
    label: 'Any negotiated discounts, credits or special terms?',
    hint: 'A discount that never reaches the invoice is the most common cause of disputes.',
    dispatch: true,
  },
  specialTerms: {
    kind: 'longText',
    label: 'Describe the discounts, credits or special terms',
    placeholder: 'e.g. 10% off the first year; 2 free months; price locked until 2027',
  },
  firstInvoiceDate: { kind: 'date', placeholder: 'Pick a date' },
  billingFrequency: { kind: 'choice', choices: BILLING_FREQUENCY_LABELS },
  taxExempt: { kind: 'yesNo', label: 'Is the customer tax exempt?', dispatch: true },
  taxCertificateOnFile: { kind: 'yesNo', label: 'Is their exemption certificate on file?' },
  currency: { kind: 'currency', label: 'Invoice currency' },
  financeNotes: { kind: 'longText', placeholder: 'Anything else finance should know' },
};

const COMMON_CURRENCIES =
  'USD EUR GBP CAD AUD NZD JPY CHF SEK NOK DKK PLN CZK SGD HKD INR CNY KRW BRL MXN ZAR AED SAR ILS'.split(
    ' ',
  );
const currencyNames = new Intl.DisplayNames(['en'], { type: 'currency' });
const PLAUSIBLE_CURRENCY = /^[A-Z]{3}$/;
const YES = 'yes';
const NO = 'no';
const YES_NO = new Map<string | undefined, boolean>([
  [YES, true],
  [NO, false],
]);

/** The block_id of a field's input: its key in snake_case ('ap_contact_email'). */
export function blockIdOf(key: FieldKey): string {
  return snakeKey(key);
}

/** The intake for a deal: its saved draft or prefill unless `fields` (what the rep typed so far) are given. */
export function intakeModalFor(
  ctx: DealContext,
  standardTermsDays: number,
  fields: HandoffFields = currentFields(ctx.deal, ctx.handoff),
): ModalView {
  return intakeModal({
    dealId: ctx.deal.id,
    dealName: ctx.deal.name,
    accountName: ctx.account.name,
    amountCents: ctx.deal.amount_cents,
    currency: ctx.deal.currency,
    fields,
    standardTermsDays,
  });
}

export function intakeModal(input: IntakeModalInput): ModalView {
  const fields = { ...input.fields, currency: input.fields.currency ?? plausibleCurrency(input.currency) };
  const metadata: IntakeMetadata = { dealId: input.dealId };
  return {
    type: 'modal',
    callback_id: INTAKE_CALLBACK_ID,
    private_metadata: JSON.stringify(metadata),
    title: plainText('Billing handoff'),
    submit: plainText('Save'),
    close: plainText('Cancel'),
    blocks: [
      ...introBlocks(input),
      ...FIELD_KEYS.flatMap((key) => fieldBlocks(key, fields, input.standardTermsDays)),
    ],
  };
}

function introBlocks(input: IntakeModalInput): KnownBlock[] {
  const amount = formatMoney(input.amountCents, input.currency);
  return [
    section(`*${userText(input.dealName, 1000)}*\n${userText(input.accountName, 1000)} · ${amount}`),
    context(
      'Slack marks every field (optional) because you can save what you have and finish later; ★ marks what finance needs before it can invoice.',
    ),
    { type: 'divider' },
  ];
}

function fieldBlocks(key: FieldKey, fields: HandoffFields, standardTermsDays: number): KnownBlock[] {
  if (!isApplicable(key, fields)) return [];
  const blocks: KnownBlock[] = [inputBlock(key, fields, standardTermsDays)];
  const endOfTerms = isApplicable('customTermsDays', fields) ? 'customTermsDays' : 'paymentTerms';
  const approval = termsApprovalReason(fields, standardTermsDays);
  if (key === endOfTerms && approval) {
    blocks.push(context(`⚠️ ${approval}, so finance will need to approve these terms.`));
  }
  return blocks;
}

function inputBlock(key: FieldKey, fields: HandoffFields, standardTermsDays: number): KnownBlock {
  const spec = INPUTS[key];
  const label = spec.label ?? FIELD_LABELS[key];
  const hint =
    key === 'paymentTerms'
      ? `Our standard is ${standardTermsDays} days; longer terms need finance approval.`
      : spec.hint;
  return {
    type: 'input',
    block_id: blockIdOf(key),
    optional: true,
    ...(spec.dispatch ? { dispatch_action: true } : {}),
    label: plainText(isRequired(key) ? `${label} ★` : label, SLACK_LIMITS.label),
    ...(hint ? { hint: plainText(hint, SLACK_LIMITS.hint) } : {}),
    element: element(key, spec, fields[key]),
  };
}

interface ElementContext {
  key: FieldKey;
  spec: InputSpec;
  value: HandoffFields[FieldKey];
  /** The value when it is text. */
  text: string | null;
  action_id: string;
  placeholder: { placeholder?: PlainTextElement };
}

function element(key: FieldKey, spec: InputSpec, value: HandoffFields[FieldKey]): InputBlockElement {
  return ELEMENTS[spec.kind]({
    key,
    spec,
    value,
    text: typeof value === 'string' ? value : null,
    action_id: spec.dispatch ? `${INTAKE_DISPATCH_ACTION_PREFIX}${blockIdOf(key)}` : INTAKE_VALUE_ACTION_ID,
    placeholder: spec.placeholder
      ? { placeholder: plainText(spec.placeholder, SLACK_LIMITS.placeholder) }
      : {},
  });
}

const textElement =
  (multiline: boolean) =>
  ({ key, text, action_id, placeholder }: ElementContext): InputBlockElement => ({
    type: 'plain_text_input',
    action_id,
    multiline,
    max_length: maxLength(key),
    ...initialValue(text, maxLength(key)),
    ...placeholder,
  });

/** How each kind of input is drawn, showing the current value. */
const ELEMENTS: Record<InputKind, (c: ElementContext) => InputBlockElement> = {
  text: textElement(false),
  longText: textElement(true),
  email: (c) => ({
    type: 'email_text_input',
    action_id: c.action_id,
    ...initialValue(c.text, maxLength(c.key)),
    ...c.placeholder,
  }),
  url: (c) => ({
    type: 'url_text_input',
    action_id: c.action_id,
    ...initialValue(c.text, maxLength(c.key)),
    ...c.placeholder,
  }),
  days: (c) => ({
    type: 'number_input',
    action_id: c.action_id,
    is_decimal_allowed: false,
    min_value: String(CUSTOM_TERMS_MIN_DAYS),
    max_value: String(CUSTOM_TERMS_MAX_DAYS),
    ...(typeof c.value === 'number' && isCustomTermsDays(c.value) ? { initial_value: String(c.value) } : {}),
    ...c.placeholder,
  }),
  yesNo: (c) => ({
    type: 'radio_buttons',
    action_id: c.action_id,
    ...optionsWith(yesNoOptions(), yesNoValue(c.value)),
  }),
  choice: (c) => ({
    type: 'static_select',
    action_id: c.action_id,
    ...optionsWith(choiceOptions(c.spec.choices ?? {}), c.text),
    ...c.placeholder,
  }),
  currency: (c) => ({
    type: 'static_select',
    action_id: c.action_id,
    ...optionsWith(currencyOptions(c.text), c.text),
    ...c.placeholder,
  }),
  date: (c) => ({
    type: 'datepicker',
    action_id: c.action_id,
    ...(c.text && isIsoDate(c.text) ? { initial_date: c.text } : {}),
    ...c.placeholder,
  }),
};

function maxLength(key: FieldKey): number {
  return (MAX_LENGTHS as Partial<Record<FieldKey, number>>)[key] ?? SLACK_LIMITS.inputValue;
}

function initialValue(text: string | null, max: number): { initial_value?: string } {
  return text === null ? {} : { initial_value: truncate(text, max) };
}

function option(value: string, text: string): PlainTextOption {
  return { text: plainText(text, SLACK_LIMITS.optionText), value };
}

function optionsWith(options: PlainTextOption[], selected: string | null) {
  const initial = options.find((o) => o.value === selected);
  return { options, ...(initial ? { initial_option: initial } : {}) };
}

function yesNoOptions(): PlainTextOption[] {
  return [option(YES, 'Yes'), option(NO, 'No')];
}

function yesNoValue(value: unknown): string | null {
  if (typeof value !== 'boolean') return null;
  return value ? YES : NO;
}

function choiceOptions(choices: Record<string, string>): PlainTextOption[] {
  return Object.entries(choices).map(([value, text]) => option(value, text));
}

function currencyOptions(current: string | null): PlainTextOption[] {
  const extra =
    current && PLAUSIBLE_CURRENCY.test(current) && !COMMON_CURRENCIES.includes(current) ? [current] : [];
  return [...COMMON_CURRENCIES, ...extra].map((code) =>
    option(code, `${code} — ${currencyNames.of(code) ?? code}`),
  );
}

function plausibleCurrency(code: string): string | null {
  const upper = code.toUpperCase();
  return PLAUSIBLE_CURRENCY.test(upper) ? upper : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading a submission

const elementState = z
  .object({
    value: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
    selected_date: z.string().nullish(),
  })
  .catch({});

type ElementState = z.infer<typeof elementState>;

const DECODERS: Record<InputKind, (state: ElementState) => unknown> = {
  text: (s) => trimmed(s.value),
  longText: (s) => trimmed(s.value),
  email: (s) => trimmed(s.value),
  url: (s) => trimmed(s.value),
  days: (s) => {
    const text = trimmed(s.value);
    return text === null || !Number.isFinite(Number(text)) ? null : Number(text);
  },
  yesNo: (s) => YES_NO.get(s.selected_option?.value) ?? null,
  choice: (s) => s.selected_option?.value ?? null,
  currency: (s) => s.selected_option?.value ?? null,
  date: (s) => trimmed(s.selected_date),
};

function trimmed(value: string | null | undefined): string | null {
  return value?.trim() || null;
}

/**
 * Reads the modal's `view.state.values`. Missing blocks, empty inputs and fields that do not apply given the other
 * answers (e.g. a PO number when no PO is required) come back null.
 */
export function readIntakeState(values: Record<string, Record<string, unknown>>): HandoffFields {
  const raw = Object.fromEntries(
    FIELD_KEYS.map((key) => {
      const state = Object.values(values[blockIdOf(key)] ?? {})[0];
      return [key, DECODERS[INPUTS[key].kind](elementState.parse(state ?? {}))];
    }),
  );
  return applicableOnly(parseStoredFields(raw));
}

/** The block every intake has, where a problem that belongs to no one field is shown. */
export const INTAKE_FIRST_BLOCK = blockIdOf('legalEntity');

/** What replaces the intake after a submission that was not saved; null when it was (the modal closes). */
export function intakeSaveNotice(
  result:
    | { status: 'saved' | 'unchanged' }
    | { status: 'not_found' }
    | { status: 'forbidden'; ownerUserId: string | null },
): ModalView | null {
  switch (result.status) {
    case 'not_found':
      return noticeModal('Deal not found', 'That deal no longer exists in AR Bridge.');
    case 'forbidden':
      return noticeModal(
        'Not your deal',
        result.ownerUserId
          ? `This handoff belongs to <@${result.ownerUserId}>; your changes were not saved.`
          : 'Nobody owns this deal yet; your changes were not saved.',
      );
    default:
      return null;
  }
}

/** Problems with the submitted values, keyed by block_id, for `response_action: 'errors'`. */
export function intakeErrors(fields: HandoffFields): Record<string, string> {
  const problems = validateHandoff(fields);
  return Object.fromEntries(
    FIELD_KEYS.filter((key) => problems[key] !== undefined && isApplicable(key, fields)).map((key) => [
      blockIdOf(key),
      problems[key] as string,
    ]),
  );
}
