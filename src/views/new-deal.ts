import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import { formatMoney } from '../domain/money.ts';
import type { NewDealDraft, NewDealField } from '../domain/new-deal.ts';
import { escapeMrkdwn, plainText, section, truncate } from './text.ts';

export const NEW_DEAL_CALLBACK_ID = 'handoff_new_deal';

const CURRENCIES = [
  'USD',
  'EUR',
  'GBP',
  'CAD',
  'AUD',
  'JPY',
  'CHF',
  'SEK',
  'NOK',
  'DKK',
  'INR',
  'SGD',
  'NZD',
  'BRL',
  'MXN',
];

/** The modal for a rep whose closed deal never reached AR Bridge: enter it, then the intake follows. */
export function newDealModal(today: string): ModalView {
  const text = (blockId: string, label: string, placeholder: string, max: number): KnownBlock => ({
    type: 'input',
    block_id: blockId,
    label: plainText(label),
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      max_length: max,
      placeholder: plainText(placeholder),
    },
  });
  return {
    type: 'modal',
    callback_id: NEW_DEAL_CALLBACK_ID,
    title: plainText('New closed deal'),
    submit: plainText('Next'),
    close: plainText('Cancel'),
    blocks: [
      section(
        'You have no deal waiting for a billing handoff. Tell us about the deal that closed and the handoff opens next.',
      ),
      text('deal_name', 'Deal name', 'e.g. Acme, 3-year platform licence', 300),
      text('account_name', 'Customer (account) name', 'As it appears in the CRM', 300),
      {
        type: 'input',
        block_id: 'amount',
        label: plainText('Amount'),
        element: {
          type: 'number_input',
          action_id: 'value',
          is_decimal_allowed: true,
          min_value: '0',
          placeholder: plainText('e.g. 48000.00'),
        },
      },
      {
        type: 'input',
        block_id: 'currency',
        label: plainText('Currency'),
        element: {
          type: 'static_select',
          action_id: 'value',
          initial_option: { text: plainText('USD'), value: 'USD' },
          options: CURRENCIES.map((c) => ({ text: plainText(c), value: c })),
        },
      },
      {
        type: 'input',
        block_id: 'closed_on',
        label: plainText('Closed on'),
        element: { type: 'datepicker', action_id: 'value', initial_date: today },
      },
    ],
  };
}

const text = z.object({ value: z.string().nullish() }).catch({});
const choice = z.object({ selected_option: z.object({ value: z.string() }).nullish() }).catch({});
const date = z.object({ selected_date: z.string().nullish() }).catch({});
const state = z.object({
  deal_name: z.object({ value: text }).catch({ value: {} }),
  account_name: z.object({ value: text }).catch({ value: {} }),
  currency: z.object({ value: choice }).catch({ value: {} }),
  amount: z.object({ value: text }).catch({ value: {} }),
  closed_on: z.object({ value: date }).catch({ value: {} }),
});

/** Reads the new-deal modal's `view.state.values`, tolerating missing blocks and values of the wrong shape. */
export function readNewDealState(values: unknown): NewDealDraft {
  const v = state.parse(values ?? {});
  return {
    name: v.deal_name.value.value ?? '',
    accountName: v.account_name.value.value ?? '',
    currency: v.currency.value.selected_option?.value ?? 'USD',
    amountText: v.amount.value.value ?? '',
    closedOn: v.closed_on.value.selected_date ?? null,
  };
}

const BLOCKS: Record<NewDealField, string> = {
  name: 'deal_name',
  accountName: 'account_name',
  amount: 'amount',
  closedOn: 'closed_on',
};

/** Problems with the new deal, keyed by the modal's block ids (for `response_action: 'errors'`). */
export function newDealErrors(problems: Partial<Record<NewDealField, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(problems).map(([field, problem]) => [BLOCKS[field as NewDealField], problem]),
  );
}

export interface PickableDeal {
  id: number;
  name: string;
  accountName: string;
  amountCents: number;
  currency: string;
  hasDraft: boolean;
}

const MAX_PICKS = 20;

/** An ephemeral pick list for /handoff when the rep has several deals waiting. */
export function dealPickList(deals: readonly PickableDeal[]): { text: string; blocks: KnownBlock[] } {
  const shown = deals.slice(0, MAX_PICKS);
  const blocks: KnownBlock[] = [
    section(`*${deals.length} deals are waiting for a billing handoff.* Which one?`),
    ...shown.map(
      (d): KnownBlock => ({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: truncate(
            `*${escapeMrkdwn(d.name)}*\n${escapeMrkdwn(d.accountName)} · ${formatMoney(d.amountCents, d.currency)}${d.hasDraft ? ' · draft saved' : ''}`,
            3000,
          ),
        },
        accessory: {
          type: 'button',
          action_id: 'handoff_open',
          value: String(d.id),
          text: plainText(d.hasDraft ? 'Finish' : 'Start', 75),
        },
      }),
    ),
  ];
  if (deals.length > shown.length) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `…and ${deals.length - shown.length} more. Add a word after /handoff to narrow the list.`,
        },
      ],
    });
  }
  return { text: `${deals.length} deals are waiting for a billing handoff`, blocks };
}
