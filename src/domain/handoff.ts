/**
 * The billing handoff (intake) a rep fills after a deal closes: its fields, which of them finance needs,
 * how values are checked and described. Pure functions of data; no Slack, no SQL.
 */
import { z } from 'zod';
import { isCurrencyCode } from './money.ts';

export const PAYMENT_TERMS = ['due_on_receipt', 'net_15', 'net_30', 'net_45', 'net_60', 'custom'] as const;
export const DELIVERY_METHODS = ['email', 'portal', 'mail'] as const;
export const BILLING_FREQUENCIES = ['one_time', 'monthly', 'quarterly', 'annual'] as const;

export type PaymentTerms = (typeof PAYMENT_TERMS)[number];
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number];
export type BillingFrequency = (typeof BILLING_FREQUENCIES)[number];

/** Every intake field; `null` means "not known yet". */
export interface HandoffFields {
  legalEntity: string | null;
  billingAddress: string | null;
  apContactName: string | null;
  apContactEmail: string | null;
  apContactPhone: string | null;
  signerIsPayer: boolean | null;
  paymentTerms: PaymentTerms | null;
  customTermsDays: number | null;
  poRequired: boolean | null;
  poNumber: string | null;
  deliveryMethod: DeliveryMethod | null;
  portalName: string | null;
  portalUrl: string | null;
  portalSupplierId: string | null;
  senderAllowlisted: boolean | null;
  /** `false` means the customer has no special terms ("none"). */
  hasSpecialTerms: boolean | null;
  specialTerms: string | null;
  /** A calendar day, 'YYYY-MM-DD'. */
  firstInvoiceDate: string | null;
  billingFrequency: BillingFrequency | null;
  taxExempt: boolean | null;
  taxCertificateOnFile: boolean | null;
  currency: string | null;
  financeNotes: string | null;
}

export type FieldKey = keyof HandoffFields;

export const FIELD_LABELS: Record<FieldKey, string> = {
  legalEntity: 'Legal entity to invoice',
  billingAddress: 'Billing address',
  apContactName: 'AP contact name',
  apContactEmail: 'AP contact email',
  apContactPhone: 'AP contact phone',
  signerIsPayer: 'Signer is also the payer',
  paymentTerms: 'Payment terms',
  customTermsDays: 'Custom terms (days)',
  poRequired: 'PO required',
  poNumber: 'PO number',
  deliveryMethod: 'Invoice delivery',
  portalName: 'Portal name',
  portalUrl: 'Portal URL',
  portalSupplierId: 'Our supplier ID in the portal',
  senderAllowlisted: 'Billing sender allow-listed',
  hasSpecialTerms: 'Special terms or discounts',
  specialTerms: 'Special terms description',
  firstInvoiceDate: 'First invoice date',
  billingFrequency: 'Billing frequency',
  taxExempt: 'Tax exempt',
  taxCertificateOnFile: 'Tax certificate on file',
  currency: 'Currency',
  financeNotes: 'Notes for finance',
};

/** All fields in intake order. */
export const FIELD_KEYS = Object.keys(FIELD_LABELS) as FieldKey[];

export const PAYMENT_TERMS_LABELS: Record<PaymentTerms, string> = {
  due_on_receipt: 'Due on receipt',
  net_15: 'Net 15',
  net_30: 'Net 30',
  net_45: 'Net 45',
  net_60: 'Net 60',
  custom: 'Custom',
};

export const DELIVERY_METHOD_LABELS: Record<DeliveryMethod, string> = {
  email: 'Email',
  portal: 'Customer AP portal',
  mail: 'Postal mail',
};

export const BILLING_FREQUENCY_LABELS: Record<BillingFrequency, string> = {
  one_time: 'One-time',
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  annual: 'Annual',
};

/** The longest text each free-text field may hold (the modal enforces the same). */
export const MAX_LENGTHS = {
  legalEntity: 200,
  billingAddress: 1000,
  apContactName: 200,
  apContactEmail: 254,
  apContactPhone: 40,
  poNumber: 100,
  portalName: 200,
  portalUrl: 2000,
  portalSupplierId: 200,
  specialTerms: 2000,
  financeNotes: 2000,
} as const satisfies Partial<Record<FieldKey, number>>;

export const CUSTOM_TERMS_MIN_DAYS = 1;
export const CUSTOM_TERMS_MAX_DAYS = 180;

const NET_DAYS: Record<PaymentTerms, number | null> = {
  due_on_receipt: 0,
  net_15: 15,
  net_30: 30,
  net_45: 45,
  net_60: 60,
  custom: null,
};

const REQUIRED = new Set<FieldKey>([
  'legalEntity',
  'billingAddress',
  'apContactName',
  'apContactEmail',
  'paymentTerms',
  'customTermsDays',
  'poRequired',
  'poNumber',
  'deliveryMethod',
  'portalName',
  'portalUrl',
  'hasSpecialTerms',
  'specialTerms',
  'firstInvoiceDate',
  'billingFrequency',
  'currency',
]);

/** Fields that only apply given another answer (custom terms, a PO, a portal, special terms, tax exemption). */
const APPLIES_WHEN: Partial<Record<FieldKey, (f: HandoffFields) => boolean>> = {
  customTermsDays: (f) => f.paymentTerms === 'custom',
  poNumber: (f) => f.poRequired === true,
  portalName: (f) => f.deliveryMethod === 'portal',
  portalUrl: (f) => f.deliveryMethod === 'portal',
  portalSupplierId: (f) => f.deliveryMethod === 'portal',
  specialTerms: (f) => f.hasSpecialTerms === true,
  taxCertificateOnFile: (f) => f.taxExempt === true,
};

export function emptyHandoff(): HandoffFields {
  return Object.fromEntries(FIELD_KEYS.map((key) => [key, null])) as Record<FieldKey, null>;
}

export function isRequired(key: FieldKey): boolean {
  return REQUIRED.has(key);
}

/** Whether the field is asked at all given the other answers (e.g. the PO number only when a PO is required). */
export function isApplicable(key: FieldKey, f: HandoffFields): boolean {
  return APPLIES_WHEN[key]?.(f) ?? true;
}

/** The same answers with every field that does not apply (given the others) cleared to null. */
export function applicableOnly(f: HandoffFields): HandoffFields {
  const result = { ...f };
  for (const key of FIELD_KEYS) if (!isApplicable(key, f)) Object.assign(result, { [key]: null });
  return result;
}

/** Required fields that are still unknown, in intake order. */
export function missingFields(f: HandoffFields): FieldKey[] {
  return FIELD_KEYS.filter((key) => isRequired(key) && isApplicable(key, f) && isBlank(f[key]));
}

export function isComplete(f: HandoffFields): boolean {
  return missingFields(f).length === 0;
}

/** `base` with every value `known` has (non-null) laid over it. */
export function withKnown(base: HandoffFields, known: Partial<HandoffFields>): HandoffFields {
  const merged = { ...base };
  for (const [key, value] of Object.entries(known) as [keyof HandoffFields, unknown][]) {
    if (value !== null && value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/** What a deal's intake shows: its saved draft, else the CRM's prefill over the deal's currency. */
export function currentFields(
  deal: { currency: string; prefill: unknown },
  handoff: { fields: unknown } | undefined,
): HandoffFields {
  if (handoff) return parseStoredFields(handoff.fields);
  return withKnown({ ...emptyHandoff(), currency: deal.currency }, parseStoredFields(deal.prefill));
}

function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

// ---------------------------------------------------------------------------------------------------------------
// Reading stored values

const storedText = z
  .string()
  .transform((s) => s.trim() || null)
  .nullable()
  .catch(null);
const storedBoolean = z.boolean().nullable().catch(null);
const storedEnum = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values).nullable().catch(null);

const storedSchema = z.object({
  legalEntity: storedText,
  billingAddress: storedText,
  apContactName: storedText,
  apContactEmail: storedText,
  apContactPhone: storedText,
  signerIsPayer: storedBoolean,
  paymentTerms: storedEnum(PAYMENT_TERMS),
  customTermsDays: z.number().nullable().catch(null),
  poRequired: storedBoolean,
  poNumber: storedText,
  deliveryMethod: storedEnum(DELIVERY_METHODS),
  portalName: storedText,
  portalUrl: storedText,
  portalSupplierId: storedText,
  senderAllowlisted: storedBoolean,
  hasSpecialTerms: storedBoolean,
  specialTerms: storedText,
  firstInvoiceDate: storedText,
  billingFrequency: storedEnum(BILLING_FREQUENCIES),
  taxExempt: storedBoolean,
  taxCertificateOnFile: storedBoolean,
  currency: storedText,
  financeNotes: storedText,
}) satisfies z.ZodType<HandoffFields>;

/** Reads stored (jsonb) fields leniently: unknown keys are dropped, values of the wrong type become null. */
export function parseStoredFields(json: unknown): HandoffFields {
  return storedSchema.parse(isRecord(json) ? json : {});
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Validation of present values

interface Check {
  ok(value: unknown): boolean;
  /** Terse, for API problems: "must be an email address". */
  phrase: string;
  /** A friendly sentence for the modal. */
  sentence: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const PHONE = /^[0-9 +\-().xX]+$/;
const emailSchema = z.email();

export function isEmail(value: string): boolean {
  return emailSchema.safeParse(value).success;
}

export function isHttpUrl(value: string): boolean {
  const url = URL.parse(value);
  return (
    url !== null && (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname.includes('.')
  );
}

export function isPhone(value: string): boolean {
  const digits = value.replace(/\D/g, '').length;
  return PHONE.test(value) && digits >= 7 && digits <= 20;
}

/** A real calendar day written 'YYYY-MM-DD' (so '2026-02-30' is not). */
export function isIsoDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function isCustomTermsDays(value: number): boolean {
  return Number.isInteger(value) && value >= CUSTOM_TERMS_MIN_DAYS && value <= CUSTOM_TERMS_MAX_DAYS;
}

const stringCheck = (test: (value: string) => boolean, phrase: string, sentence: string): Check => ({
  ok: (value) => typeof value === 'string' && test(value),
  phrase,
  sentence,
});

const CHECKS: Partial<Record<FieldKey, Check>> = {
  apContactEmail: stringCheck(
    isEmail,
    'must be an email address',
    'Enter an email address, like ap@example.com.',
  ),
  apContactPhone: stringCheck(
    isPhone,
    'must be a phone number with 7 to 20 digits',
    'Enter a phone number with 7 to 20 digits, like +1 415 555 0100.',
  ),
  portalUrl: stringCheck(
    isHttpUrl,
    'must be an http(s) URL',
    'Enter the portal’s web address, starting with https://.',
  ),
  customTermsDays: {
    ok: (value) => typeof value === 'number' && isCustomTermsDays(value),
    phrase: `must be a whole number of days from ${CUSTOM_TERMS_MIN_DAYS} to ${CUSTOM_TERMS_MAX_DAYS}`,
    sentence: `Enter a whole number of days from ${CUSTOM_TERMS_MIN_DAYS} to ${CUSTOM_TERMS_MAX_DAYS}.`,
  },
  firstInvoiceDate: stringCheck(
    isIsoDate,
    'must be a real date written YYYY-MM-DD',
    'Pick a real calendar date.',
  ),
  currency: stringCheck(
    isCurrencyCode,
    'must be an ISO 4217 currency code like USD',
    'Pick a currency by its ISO 4217 code, like USD or EUR.',
  ),
};

function lengthCheck(max: number): Check {
  return {
    ok: (value) => typeof value !== 'string' || value.length <= max,
    phrase: `must be at most ${max} characters`,
    sentence: `Please shorten this to ${max} characters or fewer.`,
  };
}

function failedCheck(key: FieldKey, value: unknown): Check | null {
  const max = (MAX_LENGTHS as Partial<Record<FieldKey, number>>)[key];
  const checks = [CHECKS[key] ?? null, max === undefined ? null : lengthCheck(max)];
  return checks.find((check) => check !== null && !check.ok(value)) ?? null;
}

/** Problems with values that are present, as sentences for the modal. Missing values are never a problem here. */
export function validateHandoff(f: HandoffFields): Partial<Record<FieldKey, string>> {
  const problems: Partial<Record<FieldKey, string>> = {};
  for (const key of FIELD_KEYS) {
    const failed = f[key] === null ? null : failedCheck(key, f[key]);
    if (failed) problems[key] = failed.sentence;
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Prefill from the deal-closed webhook

export type PrefillResult = { ok: true; fields: Partial<HandoffFields> } | { ok: false; problems: string[] };

type Patch = Partial<HandoffFields>;

/** 'apContactEmail' → 'ap_contact_email': the webhook's key and the modal's block_id for a field. */
export function snakeKey(key: FieldKey): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const PREFILL_KEYS = new Map<string, FieldKey>(FIELD_KEYS.map((key) => [snakeKey(key), key]));

const normalized = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');

/** A schema from a loose input to a patch, failing with `phrase` when `read` returns null. */
function loose<I, T>(input: z.ZodType<I>, read: (value: I) => T | null, phrase: string) {
  return input.transform((value, ctx) => {
    const result = read(value);
    if (result === null) {
      ctx.addIssue(phrase);
      return z.NEVER;
    }
    return result;
  });
}

const textInput = z.union([z.string(), z.number().transform(String)], { error: 'must be text' });
const BOOLEAN_WORDS = new Map<string, boolean>([
  ['true', true],
  ['yes', true],
  ['y', true],
  ['false', false],
  ['no', false],
  ['n', false],
]);
const booleanInput = loose(
  z.union([z.boolean(), z.string()], { error: 'must be true or false' }),
  (v) => (typeof v === 'boolean' ? v : (BOOLEAN_WORDS.get(normalized(v)) ?? null)),
  'must be true or false',
);

function choiceInput<T extends string>(values: readonly T[], aliases: Record<string, NoInfer<T>> = {}) {
  const byName = new Map<string, T>(values.map((v) => [normalized(v), v]));
  for (const [alias, value] of Object.entries(aliases)) byName.set(alias, value);
  return loose(textInput, (v) => byName.get(normalized(v)) ?? null, `must be one of ${values.join(', ')}`);
}

/** Days of credit → terms: 0 is due on receipt, 15/30/45/60 are standard nets, anything else is custom. */
function termsFromDays(days: number): Patch {
  const standard = PAYMENT_TERMS.find((terms) => NET_DAYS[terms] === days);
  return standard ? { paymentTerms: standard } : { paymentTerms: 'custom', customTermsDays: days };
}

function readTerms(value: string | number): Patch | null {
  if (typeof value === 'number') return termsFromDays(value);
  const text = normalized(value).replaceAll(' ', '');
  const days = /^(?:net)?(\d+)$/.exec(text)?.[1];
  if (days !== undefined) return termsFromDays(Number(days));
  if (text === 'dueonreceipt' || text === 'onreceipt') return { paymentTerms: 'due_on_receipt' };
  return text === 'custom' ? { paymentTerms: 'custom' } : null;
}

function readDays(value: string): number | null {
  return /^\d+$/.test(value.trim()) ? Number(value) : null;
}

const NONE = new Set(['none', 'n/a', 'no']);

function field<K extends FieldKey>(key: K, schema: z.ZodType<HandoffFields[K]>) {
  return schema.transform((value): Patch => ({ [key]: value }));
}

const trimmedText = textInput.transform((s) => s.trim());
const text = (key: FieldKey) => field(key, trimmedText);
const yesNo = (key: FieldKey) => field(key, booleanInput);

const PREFILL_SCHEMAS: Record<FieldKey, z.ZodType<Patch>> = {
  legalEntity: text('legalEntity'),
  billingAddress: text('billingAddress'),
  apContactName: text('apContactName'),
  apContactEmail: text('apContactEmail'),
  apContactPhone: text('apContactPhone'),
  signerIsPayer: yesNo('signerIsPayer'),
  paymentTerms: loose(
    z.union([z.number(), z.string()], { error: 'must be text or a number of days' }),
    readTerms,
    `must be one of ${PAYMENT_TERMS.join(', ')}, 'Net 30' style text or a number of days`,
  ),
  customTermsDays: field('customTermsDays', loose(textInput, readDays, 'must be a whole number of days')),
  poRequired: yesNo('poRequired'),
  poNumber: text('poNumber'),
  deliveryMethod: field(
    'deliveryMethod',
    choiceInput(DELIVERY_METHODS, { 'postal mail': 'mail', post: 'mail' }),
  ),
  portalName: text('portalName'),
  portalUrl: text('portalUrl'),
  portalSupplierId: text('portalSupplierId'),
  senderAllowlisted: yesNo('senderAllowlisted'),
  hasSpecialTerms: yesNo('hasSpecialTerms'),
  specialTerms: textInput.transform(
    (s): Patch =>
      NONE.has(normalized(s))
        ? { hasSpecialTerms: false }
        : { hasSpecialTerms: true, specialTerms: s.trim() },
  ),
  firstInvoiceDate: text('firstInvoiceDate'),
  billingFrequency: field(
    'billingFrequency',
    choiceInput(BILLING_FREQUENCIES, { annually: 'annual', yearly: 'annual', once: 'one_time' }),
  ),
  taxExempt: yesNo('taxExempt'),
  taxCertificateOnFile: yesNo('taxCertificateOnFile'),
  currency: field(
    'currency',
    textInput.transform((s) => s.trim().toUpperCase()),
  ),
  financeNotes: text('financeNotes'),
};

/**
 * Parses the deal-closed webhook's optional `prefill` object (snake_case intake keys). Blank values are skipped;
 * every unknown key, bad value or contradiction is listed, e.g. "prefill.ap_contact_email: must be an email address".
 */
export function parsePrefill(input: unknown): PrefillResult {
  if (input === undefined || input === null) return { ok: true, fields: {} };
  if (!isRecord(input)) return { ok: false, problems: ['prefill: must be an object of intake fields'] };
  const problems: string[] = [];
  const fields: Patch = {};
  const setBy = new Map<FieldKey, string>();
  for (const [name, value] of Object.entries(input)) {
    const key = PREFILL_KEYS.get(name);
    if (!key) {
      problems.push(`prefill.${name} is not an intake field`);
      continue;
    }
    if (isBlank(value)) continue;
    const parsed = PREFILL_SCHEMAS[key].safeParse(value);
    if (!parsed.success) {
      problems.push(`prefill.${name}: ${parsed.error.issues[0]?.message ?? 'is not valid'}`);
      continue;
    }
    problems.push(...mergePatch(fields, parsed.data, name, setBy));
  }
  problems.push(...checkPatch(fields, setBy));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, fields };
}

function mergePatch(fields: Patch, patch: Patch, name: string, setBy: Map<FieldKey, string>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(patch) as [FieldKey, unknown][]) {
    const earlier = setBy.get(key);
    if (earlier !== undefined && fields[key] !== value) {
      problems.push(`prefill.${name}: contradicts prefill.${earlier}`);
      continue;
    }
    Object.assign(fields, { [key]: value });
    setBy.set(key, earlier ?? name);
  }
  return problems;
}

function checkPatch(fields: Patch, setBy: Map<FieldKey, string>): string[] {
  return (Object.entries(fields) as [FieldKey, unknown][]).flatMap(([key, value]) => {
    const failed = failedCheck(key, value);
    return failed ? [`prefill.${setBy.get(key)}: ${failed.phrase}`] : [];
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Terms, descriptions and diffs

/** Days of credit the terms give: due on receipt is 0; custom terms without a number of days are unknown. */
export function termsDays(f: HandoffFields): number | null {
  if (f.paymentTerms === null) return null;
  return f.paymentTerms === 'custom' ? f.customTermsDays : NET_DAYS[f.paymentTerms];
}

/** Terms longer than the company's standard need finance's approval. */
export function needsTermsApproval(f: HandoffFields, standardTermsDays: number): boolean {
  const days = termsDays(f);
  return days !== null && days > standardTermsDays;
}

/** "Net 60 is longer than the standard 30 days", or null when the terms need no approval. */
export function termsApprovalReason(f: HandoffFields, standardTermsDays: number): string | null {
  if (!needsTermsApproval(f, standardTermsDays)) return null;
  return `${formatFieldValue('paymentTerms', f)} is longer than the standard ${standardTermsDays} days`;
}

const EMPTY_VALUE = '—';
const dayFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });

const CHOICE_LABELS: Partial<Record<FieldKey, Record<string, string>>> = {
  paymentTerms: PAYMENT_TERMS_LABELS,
  deliveryMethod: DELIVERY_METHOD_LABELS,
  billingFrequency: BILLING_FREQUENCY_LABELS,
};

/** 'YYYY-MM-DD' → 'Mar 1, 2026' (anything else is returned as is). */
export function formatDay(day: string): string {
  return isIsoDate(day) ? dayFormat.format(new Date(`${day}T00:00:00Z`)) : day;
}

/** A field's value for people: 'Net 45', 'Customer AP portal', 'Yes'/'No', '—' when unknown. */
export function formatFieldValue(key: FieldKey, f: HandoffFields): string {
  const value = f[key];
  if (value === null) return EMPTY_VALUE;
  if (key === 'paymentTerms' && value === 'custom' && f.customTermsDays !== null)
    return `Net ${f.customTermsDays}`;
  if (key === 'customTermsDays') return value === 1 ? '1 day' : `${value} days`;
  if (key === 'hasSpecialTerms') return value ? 'Yes' : 'None';
  if (key === 'firstInvoiceDate') return formatDay(String(value));
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return CHOICE_LABELS[key]?.[String(value)] ?? String(value);
}

export interface FieldChange {
  field: FieldKey;
  label: string;
  before: string;
  after: string;
}

/** The fields whose value changed, in intake order, described for people. */
export function diffHandoff(before: HandoffFields, after: HandoffFields): FieldChange[] {
  return FIELD_KEYS.filter((key) => before[key] !== after[key]).map((key) => ({
    field: key,
    label: FIELD_LABELS[key],
    before: formatFieldValue(key, before),
    after: formatFieldValue(key, after),
  }));
}
