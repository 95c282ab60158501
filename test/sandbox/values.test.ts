import { describe, expect, it } from 'vitest';
import { type Block, initialValues, mergeValues } from '../../src/sandbox/page/values.ts';

const option = (value: string) => ({ text: { type: 'plain_text', text: value }, value });
const blocks: Block[] = [
  {
    type: 'input',
    block_id: 'entity',
    label: { type: 'plain_text', text: 'Legal entity' },
    element: { type: 'plain_text_input', action_id: 'value', initial_value: 'Acme' },
  },
  {
    type: 'input',
    block_id: 'terms',
    label: { type: 'plain_text', text: 'Terms' },
    element: { type: 'static_select', action_id: 'value', options: [option('net_30')] },
  },
  {
    type: 'actions',
    block_id: 'pick',
    elements: [
      { type: 'users_select', action_id: 'who', initial_user: 'U1' },
      { type: 'datepicker', action_id: 'when' },
      { type: 'checkboxes', action_id: 'flags', initial_options: [option('a')] },
      { type: 'button', action_id: 'go', text: { type: 'plain_text', text: 'Go' } },
    ],
  },
  {
    type: 'section',
    block_id: 'sec',
    text: { type: 'mrkdwn', text: 'x' },
    accessory: { type: 'radio_buttons', action_id: 'r' },
  },
];

describe("the page's state.values", () => {
  it('starts every value element as Slack fills state.values, buttons excluded', () => {
    expect(initialValues(blocks)).toEqual({
      entity: { value: { type: 'plain_text_input', value: 'Acme' } },
      terms: { value: { type: 'static_select', selected_option: null } },
      pick: {
        who: { type: 'users_select', selected_user: 'U1' },
        when: { type: 'datepicker', selected_date: null },
        flags: { type: 'checkboxes', selected_options: [option('a')] },
      },
      sec: { r: { type: 'radio_buttons', selected_option: null } },
    });
  });

  it('keeps what was entered across an update where block_id, action_id and type stay', () => {
    const entered = {
      entity: { value: { type: 'plain_text_input', value: 'Acme Holdings' } },
      terms: { value: { type: 'plain_text_input', value: 'stale type' } },
      gone: { value: { type: 'plain_text_input', value: 'dropped' } },
    };
    const merged = mergeValues(blocks, entered);
    expect(merged.entity).toEqual({ value: { type: 'plain_text_input', value: 'Acme Holdings' } });
    expect(merged.terms).toEqual({ value: { type: 'static_select', selected_option: null } });
    expect(merged).not.toHaveProperty('gone');
  });
});
