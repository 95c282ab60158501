import type { KnownBlock, ModalView } from '@slack/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applicableOnly,
  BILLING_FREQUENCIES,
  DELIVERY_METHODS,
  emptyHandoff,
  FIELD_KEYS,
  type FieldKey,
  type HandoffFields,
  isRequired,
  MAX_LENGTHS,
  PAYMENT_TERMS,
  snakeKey,
} from '../../src/domain/handoff.ts';
import {
  INTAKE_CALLBACK_ID,
  INTAKE_DISPATCH_ACTION_PREFIX,
  type IntakeModalInput,
  intakeErrors,
  intakeModal,
  readIntakeState,
} from '../../src/views/intake-modal.ts';
import { SLACK_LIMITS, slackLimitProblems } from '../../src/views/text.ts';
import { hostileTexts, input, inputs, maybe } from '../support/views.ts';

const fields: HandoffFields = {
  ...emptyHandoff(),
  legalEntity: 'Acme Holdings, Inc.',
  apContactEmail: 'ap@acme.example',
  paymentTerms: 'net_60',
  poRequired: true,
  poNumber: 'PO-4500012345',
  deliveryMethod: 'portal',
  portalName: 'SAP Ariba',
  firstInvoiceDate: '2026-03-01',
  currency: 'EUR',
};

function modalInput(overrides: Partial<IntakeModalInput> = {}): IntakeModalInput {
  return {
    dealId: 42,
    dealName: 'Acme renewal 2026',
    accountName: 'Acme',
    amountCents: 4_800_000,
    currency: 'USD',
    fields,
    standardTermsDays: 30,
    ...overrides,
  };
}

function blockIds(view: ModalView): string[] {
  return inputs(view).map((block) => block.block_id ?? '');
}

/** What Slack would send back in `view.state.values` if the user submitted the modal untouched. */
function stateFrom(view: ModalView): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    inputs(view).map((block) => {
      const element = block.element as unknown as Record<string, unknown> & {
        type: string;
        action_id: string;
      };
      return [block.block_id, { [element.action_id]: { type: element.type, ...stateOf(element) } }];
    }),
  );
}

function stateOf(element: Record<string, unknown> & { type: string }): Record<string, unknown> {
  switch (element.type) {
    case 'static_select':
    case 'radio_buttons':
      return { selected_option: element.initial_option ?? null };
    case 'datepicker':
      return { selected_date: element.initial_date ?? null };
    default:
      return { value: element.initial_value ?? null };
  }
}

describe('intakeModal', () => {
  const view = intakeModal(modalInput());

  it('is the billing handoff modal for the deal', () => {
    expect(view).toMatchObject({
      type: 'modal',
      callback_id: INTAKE_CALLBACK_ID,
      private_metadata: '{"dealId":42}',
      title: { type: 'plain_text', text: 'Billing handoff' },
      submit: { type: 'plain_text', text: 'Save' },
      close: { type: 'plain_text', text: 'Cancel' },
    });
    expect(view.blocks.slice(0, 2)).toMatchInlineSnapshot(`
      [
        {
          "text": {
            "text": "*Acme renewal 2026*
      Acme · $48,000.00",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "elements": [
            {
              "text": "Slack marks every field (optional) because you can save what you have and finish later; ★ marks what finance needs before it can invoice.",
              "type": "mrkdwn",
            },
          ],
          "type": "context",
        },
      ]
    `);
  });

  it('makes every input optional and marks required fields with ★', () => {
    for (const block of inputs(view)) {
      expect(block.optional).toBe(true);
      const key = FIELD_KEYS.find((k) => snakeKey(k) === block.block_id);
      expect(key).toBeDefined();
      expect(block.label.text.endsWith(' ★')).toBe(isRequired(key ?? 'financeNotes'));
    }
  });

  it('dispatches the answers that change which questions apply', () => {
    const dispatching = inputs(view).filter((block) => block.dispatch_action);
    expect(dispatching.map((block) => block.block_id)).toEqual([
      'payment_terms',
      'po_required',
      'delivery_method',
      'has_special_terms',
      'tax_exempt',
    ]);
    for (const block of inputs(view)) {
      const expected = block.dispatch_action ? `${INTAKE_DISPATCH_ACTION_PREFIX}${block.block_id}` : 'value';
      expect(block.element.action_id).toBe(expected);
    }
  });

  it('renders dependent inputs only when they apply', () => {
    expect(blockIds(intakeModal(modalInput({ fields: emptyHandoff() })))).toEqual([
      'legal_entity',
      'billing_address',
      'ap_contact_name',
      'ap_contact_email',
      'ap_contact_phone',
      'signer_is_payer',
      'payment_terms',
      'po_required',
      'delivery_method',
      'sender_allowlisted',
      'has_special_terms',
      'first_invoice_date',
      'billing_frequency',
      'tax_exempt',
      'currency',
      'finance_notes',
    ]);
    const all: HandoffFields = {
      ...emptyHandoff(),
      paymentTerms: 'custom',
      poRequired: true,
      deliveryMethod: 'portal',
      hasSpecialTerms: true,
      taxExempt: true,
    };
    expect(blockIds(intakeModal(modalInput({ fields: all })))).toEqual(FIELD_KEYS.map(snakeKey));
  });

  it('sets every known value as the initial value', () => {
    expect(input(view, 'legal_entity')?.element).toMatchObject({ initial_value: 'Acme Holdings, Inc.' });
    expect(input(view, 'ap_contact_email')?.element).toMatchObject({
      type: 'email_text_input',
      initial_value: 'ap@acme.example',
    });
    expect(input(view, 'payment_terms')?.element).toMatchObject({ initial_option: { value: 'net_60' } });
    expect(input(view, 'po_required')?.element).toMatchObject({
      type: 'radio_buttons',
      initial_option: { value: 'yes' },
    });
    expect(input(view, 'first_invoice_date')?.element).toMatchObject({ initial_date: '2026-03-01' });
    expect(input(view, 'currency')?.element).toMatchObject({ initial_option: { value: 'EUR' } });
    expect(input(view, 'billing_address')?.element).not.toHaveProperty('initial_value');
  });

  it('uses a whole-number input from 1 to 180 for custom terms', () => {
    const custom = intakeModal(
      modalInput({ fields: { ...fields, paymentTerms: 'custom', customTermsDays: 75 } }),
    );
    expect(input(custom, 'custom_terms_days')?.element).toEqual({
      type: 'number_input',
      action_id: 'value',
      is_decimal_allowed: false,
      min_value: '1',
      max_value: '180',
      initial_value: '75',
    });
  });

  it('warns under the payment terms when they need finance approval', () => {
    const terms = view.blocks.findIndex((block) => block.block_id === 'payment_terms');
    expect(view.blocks[terms + 1]).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: '⚠️ Net 60 is longer than the standard 30 days, so finance will need to approve these terms.',
        },
      ],
    });
    const standard = intakeModal(modalInput({ fields: { ...fields, paymentTerms: 'net_30' } }));
    expect(standard.blocks.some((block) => JSON.stringify(block).includes('⚠️'))).toBe(false);
  });

  it('offers an uncommon current currency and defaults to the deal currency', () => {
    const uncommon = intakeModal(modalInput({ fields: { ...fields, currency: 'XOF' } }));
    expect(input(uncommon, 'currency')?.element).toMatchObject({ initial_option: { value: 'XOF' } });
    const unknown = intakeModal(modalInput({ fields: emptyHandoff(), currency: 'JPY' }));
    expect(input(unknown, 'currency')?.element).toMatchObject({ initial_option: { value: 'JPY' } });
  });
});

describe('readIntakeState', () => {
  it('reads missing blocks as unknown', () => {
    expect(readIntakeState({})).toEqual(emptyHandoff());
  });

  it('trims text, drops empty values and reads numbers, options and dates', () => {
    expect(
      readIntakeState({
        legal_entity: { value: { type: 'plain_text_input', value: '  Acme Ltd  ' } },
        billing_address: { value: { type: 'plain_text_input', value: '   ' } },
        payment_terms: {
          'intake_dispatch:payment_terms': {
            type: 'static_select',
            selected_option: { text: { type: 'plain_text', text: 'Custom' }, value: 'custom' },
          },
        },
        custom_terms_days: { value: { type: 'number_input', value: '75' } },
        po_required: {
          'intake_dispatch:po_required': { type: 'radio_buttons', selected_option: { value: 'no' } },
        },
        first_invoice_date: { value: { type: 'datepicker', selected_date: '2026-03-01' } },
        currency: { value: { type: 'static_select', selected_option: null } },
      }),
    ).toEqual({
      ...emptyHandoff(),
      legalEntity: 'Acme Ltd',
      paymentTerms: 'custom',
      customTermsDays: 75,
      poRequired: false,
      firstInvoiceDate: '2026-03-01',
    });
  });

  it('drops answers to questions that no longer apply', () => {
    const state = {
      po_required: {
        'intake_dispatch:po_required': { type: 'radio_buttons', selected_option: { value: 'no' } },
      },
      po_number: { value: { type: 'plain_text_input', value: 'PO-1' } },
      delivery_method: {
        'intake_dispatch:delivery_method': { type: 'static_select', selected_option: null },
      },
      portal_url: { value: { type: 'url_text_input', value: 'https://ariba.example' } },
    };
    expect(readIntakeState(state)).toEqual({ ...emptyHandoff(), poRequired: false });
  });

  it('ignores values of the wrong shape', () => {
    expect(
      readIntakeState({
        payment_terms: { value: { type: 'static_select', selected_option: { value: 'net_999' } } },
        tax_exempt: { value: { type: 'radio_buttons', selected_option: { value: 'maybe' } } },
        legal_entity: { value: 'not an element state' },
      }),
    ).toEqual(emptyHandoff());
  });

  it('reads back exactly the applicable fields the modal showed', () => {
    fc.assert(
      fc.property(validHandoff, fc.constantFrom('USD', 'EUR', 'JPY'), (f, dealCurrency) => {
        const view = intakeModal(modalInput({ fields: f, currency: dealCurrency }));
        expect(readIntakeState(stateFrom(view))).toEqual(
          applicableOnly({ ...f, currency: f.currency ?? dealCurrency }),
        );
      }),
    );
  });
});

describe('intakeErrors', () => {
  it('maps problems with shown inputs to their block ids', () => {
    const bad = { ...fields, apContactEmail: 'nope', portalUrl: 'ariba', customTermsDays: 500 };
    expect(intakeErrors(bad)).toEqual({
      ap_contact_email: 'Enter an email address, like ap@example.com.',
      portal_url: 'Enter the portal’s web address, starting with https://.',
    });
  });
});

describe('Slack limits', () => {
  it('holds for any text, however long or hostile, and escapes mrkdwn', () => {
    fc.assert(
      fc.property(hostileHandoff, hostileText, hostileText, (f, dealName, accountName) => {
        const view = intakeModal(modalInput({ fields: f, dealName, accountName }));
        expect(slackLimitProblems(view, SLACK_LIMITS.modalBlocks)).toEqual([]);
        const intro = JSON.stringify(view.blocks[0] as KnownBlock);
        expect(intro).not.toContain('<!channel>');
        expect(intro).not.toContain('<@U1>');
      }),
      { numRuns: 50 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------

const text = (max: number) =>
  fc
    .string({ minLength: 1, maxLength: Math.min(max, 120) })
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
const day = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

/** Answers a rep could give in the modal. */
const validHandoff: fc.Arbitrary<HandoffFields> = fc.record({
  legalEntity: maybe(text(MAX_LENGTHS.legalEntity)),
  billingAddress: maybe(text(MAX_LENGTHS.billingAddress)),
  apContactName: maybe(text(MAX_LENGTHS.apContactName)),
  apContactEmail: maybe(fc.emailAddress().filter((email) => email.length <= MAX_LENGTHS.apContactEmail)),
  apContactPhone: maybe(text(MAX_LENGTHS.apContactPhone)),
  signerIsPayer: maybe(fc.boolean()),
  paymentTerms: maybe(fc.constantFrom(...PAYMENT_TERMS)),
  customTermsDays: maybe(fc.integer({ min: 1, max: 180 })),
  poRequired: maybe(fc.boolean()),
  poNumber: maybe(text(MAX_LENGTHS.poNumber)),
  deliveryMethod: maybe(fc.constantFrom(...DELIVERY_METHODS)),
  portalName: maybe(text(MAX_LENGTHS.portalName)),
  portalUrl: maybe(fc.webUrl().filter((url) => url.length <= MAX_LENGTHS.portalUrl)),
  portalSupplierId: maybe(text(MAX_LENGTHS.portalSupplierId)),
  senderAllowlisted: maybe(fc.boolean()),
  hasSpecialTerms: maybe(fc.boolean()),
  specialTerms: maybe(text(MAX_LENGTHS.specialTerms)),
  firstInvoiceDate: maybe(day),
  billingFrequency: maybe(fc.constantFrom(...BILLING_FREQUENCIES)),
  taxExempt: maybe(fc.boolean()),
  taxCertificateOnFile: maybe(fc.boolean()),
  currency: maybe(fc.constantFrom('USD', 'EUR', 'GBP', 'XOF', 'BHD')),
  financeNotes: maybe(text(MAX_LENGTHS.financeNotes)),
});

const hostileText = hostileTexts();

const TEXT_KEYS: FieldKey[] = [
  'legalEntity',
  'billingAddress',
  'apContactName',
  'apContactEmail',
  'apContactPhone',
  'poNumber',
  'portalName',
  'portalUrl',
  'portalSupplierId',
  'specialTerms',
  'firstInvoiceDate',
  'currency',
  'financeNotes',
];

/** Any answers, with text fields full of long or hostile text. */
const hostileHandoff: fc.Arbitrary<HandoffFields> = validHandoff.chain((f) =>
  fc
    .record(Object.fromEntries(TEXT_KEYS.map((key) => [key, maybe(hostileText)])))
    .map((texts) => ({ ...f, ...texts }) as HandoffFields),
);
