import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DISPUTE_REASONS, UPDATE_KINDS, type UpdateKind } from '../../src/domain/collections.ts';
import {
  AR_KIND_ACTION_ID,
  AR_TARGET_ACTION_ID,
  AR_UPDATE_CALLBACK_ID,
  arUpdateModal,
  parseTargetValue,
  readArUpdateState,
  targetOption,
} from '../../src/views/ar-update-modal.ts';
import { SLACK_LIMITS, slackLimitProblems } from '../../src/views/text.ts';
import { fillModal, inputBlockIds } from '../support/modal-state.ts';
import { input, inputs } from '../support/views.ts';

const pick = { value: 'invoice:12', label: 'INV-1042 · Acme Ltd · $1,200.00 open' };
const target = targetOption({ type: 'invoice', id: 12, label: pick.label });

/** What Slack sends for an external_select with an option chosen. */
function externalSelect(option: { text: unknown; value: string } | null) {
  return { target: { [AR_TARGET_ACTION_ID]: { type: 'external_select', selected_option: option } } };
}

const EXPECTED_BLOCKS: Record<UpdateKind, string[]> = {
  note: ['target', 'kind', 'note'],
  reminder_sent: ['target', 'kind', 'note'],
  contacted: ['target', 'kind', 'note'],
  promise_to_pay: ['target', 'kind', 'promise_date', 'note'],
  dispute_opened: ['target', 'kind', 'dispute_reason', 'note'],
  dispute_resolved: ['target', 'kind', 'note'],
  payment_received: ['target', 'kind', 'amount', 'note'],
  escalated: ['target', 'kind', 'note'],
  written_off: ['target', 'kind', 'note'],
};

describe('arUpdateModal', () => {
  it('starts with the picker, the kind and a note', () => {
    const view = arUpdateModal({ target: null, kind: null });
    expect(view).toMatchObject({
      type: 'modal',
      callback_id: AR_UPDATE_CALLBACK_ID,
      title: { type: 'plain_text', text: 'Collection update' },
      submit: { type: 'plain_text', text: 'Log update' },
    });
    expect(inputBlockIds(view)).toEqual(['target', 'kind', 'note']);
    expect(input(view, 'target')).toMatchObject({
      optional: false,
      element: {
        type: 'external_select',
        action_id: 'ar_target',
        min_query_length: 1,
        placeholder: { text: 'Invoice number or account' },
      },
    });
    expect(input(view, 'target')?.element).not.toHaveProperty('initial_option');
    expect(input(view, 'kind')).toMatchObject({
      optional: false,
      dispatch_action: true,
      element: { type: 'static_select', action_id: 'ar_kind' },
    });
    expect(input(view, 'kind')?.element).not.toHaveProperty('initial_option');
    expect(input(view, 'note')).toMatchObject({
      optional: true,
      element: { type: 'plain_text_input', action_id: 'value', multiline: true },
    });
  });

  it('shows only the fields each kind needs, and requires them', () => {
    expect(input(arUpdateModal({ target: pick, kind: 'note' }), 'note')?.label).toMatchObject({
      type: 'plain_text',
      text: 'Note',
    });
    for (const kind of UPDATE_KINDS) {
      const view = arUpdateModal({ target: pick, kind });
      expect(inputBlockIds(view)).toEqual(EXPECTED_BLOCKS[kind]);
      for (const block of inputs(view)) {
        // A note is optional, except for an update that is a note.
        expect(block.optional).toBe(block.block_id === 'note' && kind !== 'note');
        const actionId = block.element.action_id;
        const expected = { target: AR_TARGET_ACTION_ID, kind: AR_KIND_ACTION_ID }[block.block_id ?? ''];
        expect(actionId).toBe(expected ?? 'value');
      }
      expect(input(view, 'kind')?.element).toMatchObject({ initial_option: { value: kind } });
      expect(input(view, 'target')?.element).toMatchObject({ initial_option: target });
    }
  });

  it('stays within Slack limits for every kind, however long the target label', () => {
    fc.assert(
      fc.property(
        fc.option(fc.constantFrom(...UPDATE_KINDS), { nil: null }),
        fc.option(fc.string({ minLength: 1, maxLength: 500 }), { nil: null }),
        (kind, label) => {
          const view = arUpdateModal({ target: label === null ? null : { value: 'account:3', label }, kind });
          expect(slackLimitProblems(view, SLACK_LIMITS.modalBlocks)).toEqual([]);
        },
      ),
    );
  });

  it('lists every kind and dispute reason, with the right element for each field', () => {
    const kinds = input(arUpdateModal({ target: null, kind: null }), 'kind')?.element as {
      options: unknown[];
    };
    expect(kinds.options).toHaveLength(UPDATE_KINDS.length);
    expect(kinds.options[2]).toEqual({
      text: { type: 'plain_text', text: 'Customer contacted', emoji: true },
      value: 'contacted',
    });
    const reasons = input(arUpdateModal({ target: pick, kind: 'dispute_opened' }), 'dispute_reason')?.element;
    expect(reasons).toMatchObject({
      type: 'static_select',
      options: DISPUTE_REASONS.map((r) => ({ value: r.value, text: { text: r.label } })),
    });
    expect(
      input(arUpdateModal({ target: pick, kind: 'promise_to_pay' }), 'promise_date')?.element,
    ).toMatchObject({
      type: 'datepicker',
    });
    expect(input(arUpdateModal({ target: pick, kind: 'payment_received' }), 'amount')?.element).toMatchObject(
      {
        type: 'plain_text_input',
        placeholder: { text: 'e.g. 1250.00' },
      },
    );
  });

  it('asks for an invoice when the kind is about one', () => {
    const hint = (kind: UpdateKind) => input(arUpdateModal({ target: null, kind }), 'target')?.hint?.text;
    expect(hint('promise_to_pay')).toBe('A promise to pay update is about one invoice: pick an invoice.');
    expect(hint('note')).toBe('Type an invoice number or part of an account name.');
  });
});

describe('targetOption', () => {
  it('encodes the target in the value and shortens the label to 75 characters', () => {
    expect(target).toEqual({
      text: { type: 'plain_text', text: 'INV-1042 · Acme Ltd · $1,200.00 open', emoji: true },
      value: 'invoice:12',
    });
    const long = targetOption({ type: 'account', id: 9, label: 'A'.repeat(200) });
    expect(long.text.text).toHaveLength(75);
    expect(long.text.text.endsWith('…')).toBe(true);
    expect(long.value).toBe('account:9');
  });

  it('round-trips through parseTargetValue', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('invoice' as const, 'account' as const),
        fc.integer({ min: 1 }),
        (type, id) => {
          expect(parseTargetValue(targetOption({ type, id, label: 'x' }).value)).toEqual({ type, id });
        },
      ),
    );
    for (const bad of ['invoice:', 'invoice:0', 'deal:3', 'account:-1', 'account:1.5', 'invoice:12 ', '']) {
      expect(parseTargetValue(bad)).toBeNull();
    }
  });
});

describe('readArUpdateState', () => {
  const empty = {
    target: null,
    kind: null,
    note: null,
    promiseDate: null,
    disputeReason: null,
    amountText: null,
  };

  it('tolerates missing blocks and values of the wrong shape', () => {
    expect(readArUpdateState({})).toEqual(empty);
    expect(
      readArUpdateState({
        target: { ar_target: 'nope' },
        kind: { ar_kind: { type: 'static_select', selected_option: { value: 'tea_break' } } },
        note: { value: { type: 'plain_text_input', value: '   ' } },
      }),
    ).toEqual(empty);
  });

  it('reads back a promise to pay', () => {
    const view = arUpdateModal({ target: pick, kind: 'promise_to_pay' });
    const values = {
      ...fillModal(view, { kind: 'promise_to_pay', promise_date: '2026-03-20', note: '  Will pay Friday ' }),
      ...externalSelect(target),
    };
    expect(readArUpdateState(values)).toEqual({
      ...empty,
      target: { type: 'invoice', id: 12 },
      kind: 'promise_to_pay',
      promiseDate: '2026-03-20',
      note: 'Will pay Friday',
    });
  });

  it('reads back a dispute and a payment', () => {
    const dispute = arUpdateModal({ target: pick, kind: 'dispute_opened' });
    expect(
      readArUpdateState({
        ...fillModal(dispute, { kind: 'dispute_opened', dispute_reason: 'po_missing_or_wrong', note: null }),
        ...externalSelect(target),
      }),
    ).toEqual({
      ...empty,
      target: { type: 'invoice', id: 12 },
      kind: 'dispute_opened',
      disputeReason: 'po_missing_or_wrong',
    });
    const account = targetOption({ type: 'account', id: 3, label: 'Acme Ltd' });
    const payment = arUpdateModal({ target: null, kind: 'payment_received' });
    expect(
      readArUpdateState({
        ...fillModal(payment, { kind: 'payment_received', amount: ' 1,250.00 ' }),
        ...externalSelect(account),
      }),
    ).toEqual({
      ...empty,
      target: { type: 'account', id: 3 },
      kind: 'payment_received',
      amountText: '1,250.00',
    });
  });

  it('drops values of fields the chosen kind does not use', () => {
    const values = {
      ...fillModal(arUpdateModal({ target: pick, kind: 'promise_to_pay' }), {
        kind: 'promise_to_pay',
        promise_date: '2026-03-20',
      }),
      dispute_reason: { value: { type: 'static_select', selected_option: { value: 'other' } } },
      amount: { value: { type: 'plain_text_input', value: '5' } },
      kind: { ar_kind: { type: 'static_select', selected_option: { value: 'note' } } },
    };
    expect(readArUpdateState(values)).toEqual({ ...empty, kind: 'note' });
  });

  it('reads back whatever a person picks in any kind of modal', () => {
    const answers = fc.record({
      kind: fc.constantFrom(...UPDATE_KINDS),
      type: fc.constantFrom('invoice' as const, 'account' as const),
      id: fc.integer({ min: 1, max: 1_000_000 }),
      note: fc.option(fc.string({ minLength: 1, maxLength: 200 }), { nil: null }),
      date: fc
        .date({
          min: new Date('2026-01-01T00:00:00Z'),
          max: new Date('2030-12-31T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString().slice(0, 10)),
      reason: fc.constantFrom(...DISPUTE_REASONS.map((r) => r.value)),
      amount: fc.stringMatching(/^\d{1,7}(\.\d{2})?$/),
    });
    fc.assert(
      fc.property(answers, (a) => {
        const option = targetOption({ type: a.type, id: a.id, label: 'x' });
        const view = arUpdateModal({ target: { value: option.value, label: 'x' }, kind: a.kind });
        const shown = new Set(inputBlockIds(view));
        const all = {
          kind: a.kind,
          note: a.note,
          promise_date: a.date,
          dispute_reason: a.reason,
          amount: a.amount,
        };
        const filled = Object.fromEntries(Object.entries(all).filter(([block]) => shown.has(block)));
        const state = readArUpdateState({ ...fillModal(view, filled), ...externalSelect(option) });
        expect(state).toEqual({
          target: { type: a.type, id: a.id },
          kind: a.kind,
          note: a.note?.trim() || null,
          promiseDate: shown.has('promise_date') ? a.date : null,
          disputeReason: shown.has('dispute_reason') ? a.reason : null,
          amountText: shown.has('amount') ? a.amount : null,
        });
      }),
    );
  });
});
