import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BILLING_FREQUENCIES,
  DELIVERY_METHODS,
  diffHandoff,
  emptyHandoff,
  FIELD_KEYS,
  FIELD_LABELS,
  type FieldKey,
  formatFieldValue,
  type HandoffFields,
  isComplete,
  isRequired,
  missingFields,
  needsTermsApproval,
  PAYMENT_TERMS,
  parsePrefill,
  parseStoredFields,
  snakeKey,
  termsApprovalReason,
  termsDays,
  validateHandoff,
} from '../../src/domain/handoff.ts';

function completeHandoff(overrides: Partial<HandoffFields> = {}): HandoffFields {
  return {
    legalEntity: 'Acme Holdings, Inc.',
    billingAddress: '1 Market St\nSan Francisco, CA 94105',
    apContactName: 'Pat Payer',
    apContactEmail: 'ap@acme.example',
    apContactPhone: '+1 (415) 555-0100',
    signerIsPayer: false,
    paymentTerms: 'net_30',
    customTermsDays: null,
    poRequired: false,
    poNumber: null,
    deliveryMethod: 'email',
    portalName: null,
    portalUrl: null,
    portalSupplierId: null,
    senderAllowlisted: true,
    hasSpecialTerms: false,
    specialTerms: null,
    firstInvoiceDate: '2026-03-01',
    billingFrequency: 'annual',
    taxExempt: false,
    taxCertificateOnFile: null,
    currency: 'USD',
    financeNotes: null,
    ...overrides,
  };
}

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

/** Any combination of answers, including invalid values. */
const anyHandoff: fc.Arbitrary<HandoffFields> = fc.record({
  legalEntity: maybe(fc.string()),
  billingAddress: maybe(fc.string()),
  apContactName: maybe(fc.string()),
  apContactEmail: maybe(fc.oneof(fc.emailAddress(), fc.string())),
  apContactPhone: maybe(fc.string()),
  signerIsPayer: maybe(fc.boolean()),
  paymentTerms: maybe(fc.constantFrom(...PAYMENT_TERMS)),
  customTermsDays: maybe(fc.integer({ min: -5, max: 400 })),
  poRequired: maybe(fc.boolean()),
  poNumber: maybe(fc.string()),
  deliveryMethod: maybe(fc.constantFrom(...DELIVERY_METHODS)),
  portalName: maybe(fc.string()),
  portalUrl: maybe(fc.oneof(fc.webUrl(), fc.string())),
  portalSupplierId: maybe(fc.string()),
  senderAllowlisted: maybe(fc.boolean()),
  hasSpecialTerms: maybe(fc.boolean()),
  specialTerms: maybe(fc.string()),
  firstInvoiceDate: maybe(fc.string()),
  billingFrequency: maybe(fc.constantFrom(...BILLING_FREQUENCIES)),
  taxExempt: maybe(fc.boolean()),
  taxCertificateOnFile: maybe(fc.boolean()),
  currency: maybe(fc.oneof(fc.constantFrom('USD', 'EUR', 'JPY'), fc.string())),
  financeNotes: maybe(fc.string()),
});

describe('missingFields', () => {
  it('lists every unconditionally required field of an empty handoff, in intake order', () => {
    expect(missingFields(emptyHandoff())).toEqual([
      'legalEntity',
      'billingAddress',
      'apContactName',
      'apContactEmail',
      'paymentTerms',
      'poRequired',
      'deliveryMethod',
      'hasSpecialTerms',
      'firstInvoiceDate',
      'billingFrequency',
      'currency',
    ]);
  });

  it('is empty for a complete handoff, whatever the optional fields hold', () => {
    const f = completeHandoff({
      apContactPhone: null,
      signerIsPayer: null,
      senderAllowlisted: null,
      taxExempt: null,
    });
    expect(missingFields(f)).toEqual([]);
    expect(isComplete(f)).toBe(true);
  });

  it.each<[string, Partial<HandoffFields>, FieldKey[]]>([
    ['custom terms need the days', { paymentTerms: 'custom' }, ['customTermsDays']],
    ['custom terms with days', { paymentTerms: 'custom', customTermsDays: 75 }, []],
    ['a required PO needs its number', { poRequired: true }, ['poNumber']],
    ['no PO needs no number', { poRequired: false, poNumber: null }, []],
    ['portal delivery needs name and URL', { deliveryMethod: 'portal' }, ['portalName', 'portalUrl']],
    [
      'the supplier id is optional',
      { deliveryMethod: 'portal', portalName: 'Ariba', portalUrl: 'https://x.example' },
      [],
    ],
    ['mail needs no portal', { deliveryMethod: 'mail' }, []],
    ['special terms need a description', { hasSpecialTerms: true }, ['specialTerms']],
    ['"none" needs no description', { hasSpecialTerms: false }, []],
    ['tax exemption does not require the certificate', { taxExempt: true }, []],
    ['a blank string is missing', { legalEntity: '   ' }, ['legalEntity']],
  ])('%s', (_name, overrides, expected) => {
    expect(missingFields(completeHandoff(overrides))).toEqual(expected);
  });

  it('is empty exactly when the handoff is complete, and lists only required fields', () => {
    fc.assert(
      fc.property(anyHandoff, (f) => {
        const missing = missingFields(f);
        expect(missing.length === 0).toBe(isComplete(f));
        for (const key of missing) {
          expect(isRequired(key)).toBe(true);
          expect(f[key] === null || String(f[key]).trim() === '').toBe(true);
        }
      }),
    );
  });
});

describe('validateHandoff', () => {
  const problemFor = (overrides: Partial<HandoffFields>) => {
    const [key] = Object.keys(overrides) as FieldKey[];
    return validateHandoff(completeHandoff(overrides))[key as FieldKey];
  };

  it('accepts a complete, sensible handoff', () => {
    expect(validateHandoff(completeHandoff())).toEqual({});
  });

  it.each(['ap@acme.example', 'first.last+billing@sub.acme.co.uk'])('accepts the email %s', (email) => {
    expect(problemFor({ apContactEmail: email })).toBeUndefined();
  });

  it.each(['ap', 'ap@', '@acme.com', 'ap@acme', 'a p@acme.com', 'ap@@acme.com'])(
    'rejects the email %s',
    (email) => {
      expect(problemFor({ apContactEmail: email })).toBe('Enter an email address, like ap@example.com.');
    },
  );

  it.each(['https://acme.ariba.com/portal', 'http://portal.acme.example:8080/x?y=1'])(
    'accepts the URL %s',
    (url) => {
      expect(problemFor({ portalUrl: url })).toBeUndefined();
    },
  );

  it.each(['acme.ariba.com', 'ftp://acme.example', 'https://', 'javascript:alert(1)', 'https://localhost'])(
    'rejects the URL %s',
    (url) => {
      expect(problemFor({ portalUrl: url })).toMatch(/https:\/\//);
    },
  );

  it.each([
    [0, false],
    [1, true],
    [180, true],
    [181, false],
    [30.5, false],
    [-3, false],
  ])('custom days %d valid: %s', (days, valid) => {
    const problem = problemFor({ customTermsDays: days });
    expect(problem === undefined).toBe(valid);
    if (!valid) expect(problem).toBe('Enter a whole number of days from 1 to 180.');
  });

  it.each([
    ['2026-02-28', true],
    ['2024-02-29', true],
    ['2025-02-29', false],
    ['2026-02-30', false],
    ['2026-13-01', false],
    ['2026-3-1', false],
    ['03/01/2026', false],
  ])('date %s valid: %s', (date, valid) => {
    expect(problemFor({ firstInvoiceDate: date }) === undefined).toBe(valid);
  });

  it.each([
    ['USD', true],
    ['JPY', true],
    ['usd', false],
    ['ZZZ', false],
    ['US$', false],
  ])('currency %s valid: %s', (currency, valid) => {
    expect(problemFor({ currency }) === undefined).toBe(valid);
  });

  it.each([
    ['+1 (415) 555-0100', true],
    ['415.555.0100 x12', true],
    ['555-01', false],
    ['call me maybe', false],
    ['1'.repeat(21), false],
  ])('phone %s valid: %s', (phone, valid) => {
    expect(problemFor({ apContactPhone: phone }) === undefined).toBe(valid);
  });

  it('limits free text lengths', () => {
    expect(problemFor({ legalEntity: 'x'.repeat(200) })).toBeUndefined();
    expect(problemFor({ legalEntity: 'x'.repeat(201) })).toBe(
      'Please shorten this to 200 characters or fewer.',
    );
  });

  it('never complains about a missing value', () => {
    fc.assert(
      fc.property(anyHandoff, (f) => {
        for (const key of Object.keys(validateHandoff(f)) as FieldKey[]) expect(f[key]).not.toBeNull();
      }),
    );
  });
});

describe('parsePrefill', () => {
  it('maps snake_case intake keys onto fields', () => {
    expect(
      parsePrefill({
        legal_entity: ' Acme Holdings, Inc. ',
        ap_contact_email: 'ap@acme.example',
        signer_is_payer: 'No',
        po_required: true,
        po_number: 4500012345,
        delivery_method: 'Portal',
        portal_url: 'https://acme.ariba.com',
        billing_frequency: 'Annually',
        first_invoice_date: '2026-03-01',
        currency: 'eur',
        tax_exempt: 'yes',
      }),
    ).toEqual({
      ok: true,
      fields: {
        legalEntity: 'Acme Holdings, Inc.',
        apContactEmail: 'ap@acme.example',
        signerIsPayer: false,
        poRequired: true,
        poNumber: '4500012345',
        deliveryMethod: 'portal',
        portalUrl: 'https://acme.ariba.com',
        billingFrequency: 'annual',
        firstInvoiceDate: '2026-03-01',
        currency: 'EUR',
        taxExempt: true,
      },
    });
  });

  it.each<[unknown, Partial<HandoffFields>]>([
    ['net_45', { paymentTerms: 'net_45' }],
    ['net 45', { paymentTerms: 'net_45' }],
    ['Net 30', { paymentTerms: 'net_30' }],
    ['net30', { paymentTerms: 'net_30' }],
    [45, { paymentTerms: 'net_45' }],
    ['60', { paymentTerms: 'net_60' }],
    [0, { paymentTerms: 'due_on_receipt' }],
    ['Due on receipt', { paymentTerms: 'due_on_receipt' }],
    [75, { paymentTerms: 'custom', customTermsDays: 75 }],
    ['Net 90', { paymentTerms: 'custom', customTermsDays: 90 }],
    ['custom', { paymentTerms: 'custom' }],
  ])('reads payment terms %j', (terms, fields) => {
    expect(parsePrefill({ payment_terms: terms })).toEqual({ ok: true, fields });
  });

  it('treats special terms "none" as no special terms and a description as yes', () => {
    expect(parsePrefill({ special_terms: 'None' })).toEqual({ ok: true, fields: { hasSpecialTerms: false } });
    expect(parsePrefill({ special_terms: '10% off year one' })).toEqual({
      ok: true,
      fields: { hasSpecialTerms: true, specialTerms: '10% off year one' },
    });
  });

  it('skips blank values and accepts no prefill at all', () => {
    expect(parsePrefill({ legal_entity: '', po_number: null, portal_name: '  ' })).toEqual({
      ok: true,
      fields: {},
    });
    expect(parsePrefill(undefined)).toEqual({ ok: true, fields: {} });
  });

  it('names an unknown key', () => {
    expect(parsePrefill({ foo: 1 })).toEqual({ ok: false, problems: ['prefill.foo is not an intake field'] });
  });

  it('lists every problem at once', () => {
    const result = parsePrefill({
      legalEntity: 'camelCase is not accepted',
      ap_contact_email: 'not-an-email',
      payment_terms: 'whenever',
      custom_terms_days: 500,
      po_required: 'maybe',
      delivery_method: 'pigeon',
      first_invoice_date: '2026-02-30',
      currency: 'dollars',
      portal_url: 'ariba',
      legal_entity: { name: 'Acme' },
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        'prefill.legalEntity is not an intake field',
        "prefill.payment_terms: must be one of due_on_receipt, net_15, net_30, net_45, net_60, custom, 'Net 30' style text or a number of days",
        'prefill.po_required: must be true or false',
        'prefill.delivery_method: must be one of email, portal, mail',
        'prefill.legal_entity: must be text',
        'prefill.ap_contact_email: must be an email address',
        'prefill.custom_terms_days: must be a whole number of days from 1 to 180',
        'prefill.first_invoice_date: must be a real date written YYYY-MM-DD',
        'prefill.currency: must be an ISO 4217 currency code like USD',
        'prefill.portal_url: must be an http(s) URL',
      ],
    });
  });

  it('reports contradictions between keys', () => {
    expect(parsePrefill({ payment_terms: 75, custom_terms_days: 90 })).toEqual({
      ok: false,
      problems: ['prefill.custom_terms_days: contradicts prefill.payment_terms'],
    });
    expect(parsePrefill({ has_special_terms: false, special_terms: '2 free months' })).toEqual({
      ok: false,
      problems: ['prefill.special_terms: contradicts prefill.has_special_terms'],
    });
  });

  it('rejects a prefill that is not an object', () => {
    expect(parsePrefill(['legal_entity'])).toEqual({
      ok: false,
      problems: ['prefill: must be an object of intake fields'],
    });
  });

  it('accepts every field under its snake_case name', () => {
    const f = completeHandoff({ apContactPhone: '+1 415 555 0100', financeNotes: 'Call before invoicing' });
    const input = Object.fromEntries(FIELD_KEYS.map((key) => [snakeKey(key), f[key]]));
    const result = parsePrefill(input);
    expect(result.ok && { ...emptyHandoff(), ...result.fields }).toEqual(f);
  });
});

describe('parseStoredFields', () => {
  it('drops unknown keys and turns wrong types into null', () => {
    const stored = parseStoredFields({
      legalEntity: 'Acme',
      poRequired: 'yes',
      paymentTerms: 'net_99',
      customTermsDays: '30',
      mystery: true,
    });
    expect(stored).toEqual({ ...emptyHandoff(), legalEntity: 'Acme' });
    expect(Object.keys(stored)).toEqual(FIELD_KEYS);
  });

  it('reads anything that is not an object as an empty handoff', () => {
    expect(parseStoredFields(null)).toEqual(emptyHandoff());
    expect(parseStoredFields('{"legalEntity":"Acme"}')).toEqual(emptyHandoff());
  });

  it('round-trips handoffs through JSON, trimming text', () => {
    fc.assert(
      fc.property(anyHandoff, (f) => {
        const trimmed = FIELD_KEYS.map((key) => [
          key,
          typeof f[key] === 'string' ? f[key].trim() || null : f[key],
        ]);
        expect(parseStoredFields(JSON.parse(JSON.stringify(f)))).toEqual(Object.fromEntries(trimmed));
      }),
    );
  });
});

describe('payment terms', () => {
  it.each<[Partial<HandoffFields>, number | null]>([
    [{ paymentTerms: 'due_on_receipt' }, 0],
    [{ paymentTerms: 'net_45' }, 45],
    [{ paymentTerms: 'custom', customTermsDays: 75 }, 75],
    [{ paymentTerms: 'custom', customTermsDays: null }, null],
    [{ paymentTerms: null }, null],
  ])('%j gives %s days', (overrides, days) => {
    expect(termsDays(completeHandoff(overrides))).toBe(days);
  });

  it('needs approval only when longer than the standard', () => {
    expect(needsTermsApproval(completeHandoff({ paymentTerms: 'net_30' }), 30)).toBe(false);
    expect(needsTermsApproval(completeHandoff({ paymentTerms: 'net_45' }), 30)).toBe(true);
    expect(needsTermsApproval(completeHandoff({ paymentTerms: 'custom', customTermsDays: null }), 30)).toBe(
      false,
    );
    expect(termsApprovalReason(completeHandoff({ paymentTerms: 'net_60' }), 30)).toBe(
      'Net 60 is longer than the standard 30 days',
    );
    expect(termsApprovalReason(completeHandoff({ paymentTerms: 'custom', customTermsDays: 90 }), 60)).toBe(
      'Net 90 is longer than the standard 60 days',
    );
    expect(termsApprovalReason(completeHandoff(), 30)).toBeNull();
  });
});

describe('formatFieldValue and diffHandoff', () => {
  it('describes values for people', () => {
    const f = completeHandoff({ paymentTerms: 'net_45', deliveryMethod: 'portal', customTermsDays: 1 });
    expect(formatFieldValue('paymentTerms', f)).toBe('Net 45');
    expect(formatFieldValue('deliveryMethod', f)).toBe('Customer AP portal');
    expect(formatFieldValue('senderAllowlisted', f)).toBe('Yes');
    expect(formatFieldValue('signerIsPayer', f)).toBe('No');
    expect(formatFieldValue('hasSpecialTerms', f)).toBe('None');
    expect(formatFieldValue('firstInvoiceDate', f)).toBe('Mar 1, 2026');
    expect(formatFieldValue('billingFrequency', f)).toBe('Annual');
    expect(formatFieldValue('customTermsDays', f)).toBe('1 day');
    expect(formatFieldValue('portalUrl', f)).toBe('—');
  });

  it('lists changed fields in intake order', () => {
    const before = completeHandoff();
    const after = completeHandoff({
      currency: 'EUR',
      paymentTerms: 'custom',
      customTermsDays: 75,
      poRequired: true,
      poNumber: 'PO-7',
    });
    expect(diffHandoff(before, after)).toEqual([
      { field: 'paymentTerms', label: 'Payment terms', before: 'Net 30', after: 'Net 75' },
      { field: 'customTermsDays', label: 'Custom terms (days)', before: '—', after: '75 days' },
      { field: 'poRequired', label: 'PO required', before: 'No', after: 'Yes' },
      { field: 'poNumber', label: 'PO number', before: '—', after: 'PO-7' },
      { field: 'currency', label: 'Currency', before: 'USD', after: 'EUR' },
    ]);
  });

  it('is empty exactly for equal handoffs, with a label for every change', () => {
    fc.assert(
      fc.property(anyHandoff, anyHandoff, (a, b) => {
        expect(diffHandoff(a, a)).toEqual([]);
        for (const change of diffHandoff(a, b)) {
          expect(change.label).toBe(FIELD_LABELS[change.field]);
          expect(a[change.field]).not.toBe(b[change.field]);
        }
      }),
    );
  });
});
