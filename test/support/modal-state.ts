type Block = {
  type: string;
  block_id?: string;
  element?: {
    type: string;
    action_id: string;
    options?: { value: string }[];
    initial_value?: string;
    initial_users?: string[];
    initial_conversation?: string;
    initial_options?: { value: string }[];
  };
};

/** What Slack submits for an input the person left as the modal drew it. */
function initialAnswer(element: NonNullable<Block['element']>): string | string[] | null | undefined {
  if (element.initial_value !== undefined) return element.initial_value;
  if (element.initial_users !== undefined) return element.initial_users;
  if (element.initial_conversation !== undefined) return element.initial_conversation;
  if (element.initial_options !== undefined) return element.initial_options.map((o) => o.value);
  return undefined;
}

/**
 * Fills a modal the way a person would: for each answer (by block_id) it builds the state value
 * Slack sends for that block's element type. Option values must exist in the element's options.
 */
export function fillModal(
  view: { blocks?: unknown[] },
  answers: Record<string, string | string[] | null>,
  fill: { keepInitial?: boolean } = {},
): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of (view.blocks ?? []) as Block[]) {
    if (block.type !== 'input' || !block.block_id || !block.element) continue;
    const { type, action_id, options } = block.element;
    const answer =
      block.block_id in answers || !fill.keepInitial
        ? answers[block.block_id]
        : (initialAnswer(block.element) ?? null);
    const option = (value: string) => {
      const found = options?.find((o) => o.value === value);
      if (!found)
        throw new Error(
          `${block.block_id} has no option ${value} (has ${options?.map((o) => o.value).join(', ')})`,
        );
      return found;
    };
    let state: Record<string, unknown>;
    switch (type) {
      case 'external_select':
        state = {
          type,
          selected_option:
            typeof answer === 'string' ? { text: { type: 'plain_text', text: answer }, value: answer } : null,
        };
        break;
      case 'static_select':
      case 'radio_buttons':
        state = { type, selected_option: typeof answer === 'string' ? option(answer) : null };
        break;
      case 'checkboxes':
        state = {
          type,
          selected_options: (Array.isArray(answer) ? answer : answer ? [answer] : []).map(option),
        };
        break;
      case 'datepicker':
        state = { type, selected_date: answer ?? null };
        break;
      case 'users_select':
        state = { type, selected_user: answer ?? null };
        break;
      case 'multi_users_select':
        state = { type, selected_users: Array.isArray(answer) ? answer : answer ? [answer] : [] };
        break;
      case 'conversations_select':
        state = { type, selected_conversation: answer ?? null };
        break;
      default:
        state = { type, value: answer ?? null };
    }
    values[block.block_id] = { [action_id]: state };
  }
  for (const key of Object.keys(answers)) {
    if (!values[key]) throw new Error(`the modal has no input block ${key}`);
  }
  return values;
}

/** The block ids of a view's input blocks, in order. */
export function inputBlockIds(view: { blocks?: unknown[] }): string[] {
  return ((view.blocks ?? []) as Block[])
    .filter((b) => b.type === 'input' && b.block_id)
    .map((b) => b.block_id as string);
}
