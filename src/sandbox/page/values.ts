/**
 * Block Kit's shapes as the page reads them, and what a person has entered, in Slack's
 * `state.values` shape: the values elements start with, and what survives a views.update (the
 * same block_id and action_id keep what was typed, as in Slack). Pure (no DOM), so unit tested.
 */

export interface TextObj {
  type: string;
  text: string;
}
export interface Option {
  text: TextObj;
  value: string;
  description?: TextObj;
}
export interface Element {
  type: string;
  action_id?: string;
  text?: TextObj;
  value?: string;
  style?: string;
  url?: string;
  options?: Option[];
  initial_option?: Option;
  initial_options?: Option[];
  initial_value?: string;
  initial_date?: string;
  initial_user?: string;
  placeholder?: TextObj;
  multiline?: boolean;
  min_query_length?: number;
  is_decimal_allowed?: boolean;
  min_value?: string;
  max_value?: string;
  image_url?: string;
  alt_text?: string;
}
export interface Block {
  type: string;
  block_id?: string;
  text?: TextObj;
  fields?: TextObj[];
  accessory?: Element;
  elements?: Element[];
  label?: TextObj;
  hint?: TextObj;
  element?: Element;
  optional?: boolean;
  dispatch_action?: boolean;
  /** An image block: by URL, or a file uploaded to the workspace. */
  image_url?: string;
  slack_file?: { id?: string; url?: string };
  alt_text?: string;
  title?: TextObj;
}
export interface Person {
  id: string;
  realName: string;
  title?: string;
  tz: string;
  role: string;
}

export type ElementValue = Record<string, unknown> & { type: string };
export type Values = Record<string, Record<string, ElementValue>>;

export const blockIdOf = (b: Block, i: number) => b.block_id ?? `b${i}`;
export const actionIdOf = (e: Element, i: number) => e.action_id ?? `a${i}`;

/** The state an element starts with, in Slack's `state.values` shape (null: not a value element). */
export function initialValue(e: Element): ElementValue | null {
  switch (e.type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return { type: e.type, value: e.initial_value ?? null };
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return { type: e.type, selected_option: e.initial_option ?? null };
    case 'checkboxes':
      return { type: e.type, selected_options: e.initial_options ?? [] };
    case 'users_select':
      return { type: e.type, selected_user: e.initial_user ?? null };
    case 'datepicker':
      return { type: e.type, selected_date: e.initial_date ?? null };
    default:
      return null;
  }
}

/** Every value element of these blocks, as Slack fills `state.values` before anyone types. */
export function initialValues(blocks: Block[]): Values {
  const values: Values = {};
  blocks.forEach((b, i) => {
    const elements =
      b.type === 'input' && b.element
        ? [b.element]
        : b.type === 'actions'
          ? (b.elements ?? [])
          : b.accessory
            ? [b.accessory]
            : [];
    elements.forEach((e, j) => {
      const v = initialValue(e);
      const blockId = blockIdOf(b, i);
      if (v) values[blockId] = { ...values[blockId], [actionIdOf(e, j)]: v };
    });
  });
  return values;
}

/** New blocks keep what the person already entered where block_id and action_id stay the same. */
export function mergeValues(blocks: Block[], entered: Values | undefined): Values {
  const values = initialValues(blocks);
  for (const [blockId, actions] of Object.entries(values))
    for (const actionId of Object.keys(actions)) {
      const kept = entered?.[blockId]?.[actionId];
      if (kept && kept.type === actions[actionId]?.type) actions[actionId] = kept;
    }
  return values;
}
