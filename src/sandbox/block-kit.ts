/**
 * Slack's Block Kit limits, checked the way Slack checks them before it accepts a message or a
 * view: too many blocks, text over its length, a duplicate block_id, a modal with inputs and no
 * submit button. Each problem reads like the `[ERROR] …` lines Slack returns in
 * `response_metadata.messages`. Pure; the sandbox's Slack stand-in and the tests' fake Slack both
 * refuse what it finds.
 */

type Obj = Record<string, unknown>;

export type Surface = 'message' | 'modal' | 'home';

const MAX_BLOCKS: Record<Surface, number> = { message: 50, modal: 100, home: 100 };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.list.push(`[ERROR] ${message} [json-pointer:${path}]`);
  }
  maxLength(path: string, value: unknown, max: number): void {
    if (typeof value === 'string' && value.length > max)
      this.add(path, `must be less than ${max + 1} characters`);
  }
}

function text(p: Problems, path: string, value: unknown, max: number, plainOnly = false): void {
  if (!isObj(value) || typeof value.text !== 'string') {
    p.add(path, 'must provide an object with a text string');
    return;
  }
  if (value.type !== 'plain_text' && (plainOnly || value.type !== 'mrkdwn'))
    p.add(`${path}/type`, `must be ${plainOnly ? 'plain_text' : 'plain_text or mrkdwn'}`);
  p.maxLength(`${path}/text`, value.text, max);
  if (value.text.length === 0) p.add(`${path}/text`, 'must be more than 0 characters');
}

function options(p: Problems, path: string, list: unknown, max: number): void {
  if (!Array.isArray(list)) return;
  if (list.length > max) p.add(path, `must provide no more than ${max} items`);
  list.forEach((o, i) => {
    if (!isObj(o)) {
      p.add(`${path}/${i}`, 'must be an option object');
      return;
    }
    text(p, `${path}/${i}/text`, o.text, 75, false);
    p.maxLength(`${path}/${i}/value`, o.value, 150);
  });
}

const ELEMENT_TYPES = new Set([
  'button',
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'multi_static_select',
  'multi_users_select',
  'datepicker',
  'timepicker',
  'radio_buttons',
  'checkboxes',
  'overflow',
  'plain_text_input',
  'email_text_input',
  'url_text_input',
  'number_input',
  'image',
]);

function element(p: Problems, path: string, e: unknown): void {
  if (!isObj(e) || typeof e.type !== 'string') {
    p.add(path, 'must provide an element object');
    return;
  }
  if (!ELEMENT_TYPES.has(e.type)) {
    p.add(`${path}/type`, `unsupported element type ${e.type}`);
    return;
  }
  p.maxLength(`${path}/action_id`, e.action_id, 255);
  if (e.placeholder !== undefined) text(p, `${path}/placeholder`, e.placeholder, 150, true);
  if (e.type === 'button') {
    text(p, `${path}/text`, e.text, 75, true);
    p.maxLength(`${path}/value`, e.value, 2000);
    p.maxLength(`${path}/url`, e.url, 3000);
    if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger')
      p.add(`${path}/style`, 'must be primary or danger');
  }
  if (['static_select', 'multi_static_select', 'radio_buttons', 'checkboxes', 'overflow'].includes(e.type))
    options(p, `${path}/options`, e.options, e.type === 'radio_buttons' ? 10 : 100);
  if (e.type === 'plain_text_input') p.maxLength(`${path}/initial_value`, e.initial_value, 3000);
}

function block(p: Problems, path: string, b: unknown, seen: Set<string>): void {
  if (!isObj(b) || typeof b.type !== 'string') {
    p.add(path, 'must provide a block object');
    return;
  }
  if (typeof b.block_id === 'string') {
    p.maxLength(`${path}/block_id`, b.block_id, 255);
    if (seen.has(b.block_id)) p.add(`${path}/block_id`, `duplicate block_id ${b.block_id}`);
    seen.add(b.block_id);
  }
  switch (b.type) {
    case 'section':
      if (b.text === undefined && b.fields === undefined) p.add(path, 'must provide text or fields');
      if (b.text !== undefined) text(p, `${path}/text`, b.text, 3000);
      if (Array.isArray(b.fields)) {
        if (b.fields.length > 10) p.add(`${path}/fields`, 'must provide no more than 10 items');
        b.fields.forEach((f, i) => {
          text(p, `${path}/fields/${i}`, f, 2000);
        });
      }
      if (b.accessory !== undefined) element(p, `${path}/accessory`, b.accessory);
      return;
    case 'header':
      text(p, `${path}/text`, b.text, 150, true);
      return;
    case 'context':
      if (!Array.isArray(b.elements) || b.elements.length === 0) {
        p.add(`${path}/elements`, 'must provide at least one element');
        return;
      }
      if (b.elements.length > 10) p.add(`${path}/elements`, 'must provide no more than 10 items');
      b.elements.forEach((e, i) => {
        if (isObj(e) && e.type !== 'image') text(p, `${path}/elements/${i}`, e, 3000);
      });
      return;
    case 'actions':
      if (!Array.isArray(b.elements) || b.elements.length === 0) {
        p.add(`${path}/elements`, 'must provide at least one element');
        return;
      }
      if (b.elements.length > 25) p.add(`${path}/elements`, 'must provide no more than 25 items');
      b.elements.forEach((e, i) => {
        element(p, `${path}/elements/${i}`, e);
      });
      return;
    case 'input':
      text(p, `${path}/label`, b.label, 2000, true);
      if (b.hint !== undefined) text(p, `${path}/hint`, b.hint, 2000, true);
      element(p, `${path}/element`, b.element);
      return;
    case 'divider':
    case 'image':
    case 'rich_text':
      return;
    default:
      p.add(`${path}/type`, `unsupported block type ${b.type}`);
  }
}

/** What Slack would refuse in these blocks on this surface (empty: accepted). */
export function blocksProblems(surface: Surface, blocks: unknown, root = '/blocks'): string[] {
  const p = new Problems();
  if (blocks === undefined) return p.list;
  if (!Array.isArray(blocks)) {
    p.add(root, 'must provide an array');
    return p.list;
  }
  if (blocks.length > MAX_BLOCKS[surface])
    p.add(root, `must provide no more than ${MAX_BLOCKS[surface]} items`);
  const seen = new Set<string>();
  blocks.forEach((b, i) => {
    block(p, `${root}/${i}`, b, seen);
  });
  return p.list;
}

/** What Slack would refuse in a modal or Home tab view. */
export function viewProblems(view: unknown): string[] {
  if (!isObj(view)) return ['[ERROR] must provide a view object [json-pointer:/view]'];
  const p = new Problems();
  const surface: Surface = view.type === 'home' ? 'home' : 'modal';
  if (view.type !== 'modal' && view.type !== 'home') p.add('/view/type', 'must be modal or home');
  if (surface === 'modal') {
    text(p, '/view/title', view.title, 24, true);
    if (view.submit !== undefined && view.submit !== null) text(p, '/view/submit', view.submit, 24, true);
    if (view.close !== undefined && view.close !== null) text(p, '/view/close', view.close, 24, true);
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === 'input');
    if (hasInput && !isObj(view.submit)) p.add('/view/submit', 'a view with input blocks must have a submit');
  }
  p.maxLength('/view/private_metadata', view.private_metadata, 3000);
  p.maxLength('/view/callback_id', view.callback_id, 255);
  p.maxLength('/view/external_id', view.external_id, 255);
  return [...p.list, ...blocksProblems(surface, view.blocks, '/view/blocks')];
}
