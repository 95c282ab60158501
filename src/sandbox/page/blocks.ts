/**
 * Block Kit, drawn as Slack draws it: section (text, fields, accessory), header, context, divider,
 * actions, input; buttons with their styles, static and external selects, users select, date
 * picker, radio buttons, checkboxes, plain text, email, URL and number inputs. What a person picks
 * is kept in Slack's `state.values` shape, and interactive elements report block_actions.
 */
import htm from 'htm';
import { h, type VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { formatDate, type MrkdwnNode, parseMrkdwn } from './mrkdwn.ts';
import {
  actionIdOf,
  type Block,
  blockIdOf,
  type Element,
  type ElementValue,
  type Option,
  type Person,
  type TextObj,
  type Values,
} from './values.ts';

export type { Block, ElementValue, Option, Person, TextObj, Values } from './values.ts';
export { mergeValues } from './values.ts';

const html = htm.bind(h);

/** What blocks need from the page around them. */
export interface BlockContext {
  people: Person[];
  botName: string;
  tz: string;
  now: Date;
  /** Where the blocks are: a message, an ephemeral message or a view. */
  surface: 'message' | 'modal' | 'home';
  values: Values;
  setValue(blockId: string, actionId: string, value: ElementValue): void;
  /** An interactive element was used: send block_actions. */
  act(action: Record<string, unknown>): void;
  suggest(blockId: string, actionId: string, query: string): Promise<Option[]>;
  /** Inline errors from `response_action: errors`, by block_id. */
  errors?: Record<string, string>;
  openChannel?(id: string): void;
}

const COLORS = ['#e8912d', '#2bac76', '#1d9bd1', '#e01e5a', '#8a4fff', '#36c5f0', '#ecb22e'];
export function avatarColor(id: string): string {
  let n = 0;
  for (const c of id) n = (n * 31 + c.charCodeAt(0)) >>> 0;
  return COLORS[n % COLORS.length] as string;
}

export function personName(ctx: Pick<BlockContext, 'people' | 'botName'>, id: string): string {
  return ctx.people.find((p) => p.id === id)?.realName ?? (id.startsWith('U0BOT') ? ctx.botName : id);
}

function node(n: MrkdwnNode, ctx: BlockContext, key: number): VNode | string {
  switch (n.t) {
    case 'text':
      return n.v;
    case 'b':
      return html`<b key=${key}>${n.c.map((c, i) => node(c, ctx, i))}</b>` as VNode;
    case 'i':
      return html`<i key=${key}>${n.c.map((c, i) => node(c, ctx, i))}</i>` as VNode;
    case 's':
      return html`<s key=${key}>${n.c.map((c, i) => node(c, ctx, i))}</s>` as VNode;
    case 'code':
      return html`<code key=${key}>${n.v}</code>` as VNode;
    case 'pre':
      return html`<pre key=${key}>${n.v}</pre>` as VNode;
    case 'quote':
      return html`<blockquote key=${key}>${n.c.map((c, i) => node(c, ctx, i))}</blockquote>` as VNode;
    case 'br':
      return html`<br key=${key} />` as VNode;
    case 'user':
      return html`<span key=${key} class="mention">@${personName(ctx, n.id)}</span>` as VNode;
    case 'channel':
      return html`<a key=${key} class="mention" href="#" onClick=${(e: Event) => {
        e.preventDefault();
        ctx.openChannel?.(n.id);
      }}>#${n.name ?? (n.id === 'C0FINANCE' ? 'finance' : n.id)}</a>` as VNode;
    case 'special':
      return html`<span key=${key} class="mention">@${n.v}</span>` as VNode;
    case 'link':
      return html`<a key=${key} href=${n.url} target="_blank" rel="noreferrer">${n.label}</a>` as VNode;
    case 'date': {
      const text = Number.isFinite(n.seconds) ? formatDate(n.seconds, n.format, ctx.tz, ctx.now) : n.fallback;
      return n.link
        ? (html`<a key=${key} href=${n.link} target="_blank" rel="noreferrer">${text}</a>` as VNode)
        : (html`<span key=${key} class="date" title=${n.fallback}>${text}</span>` as VNode);
    }
  }
}

/** A text object: mrkdwn parsed, plain_text as it is (emoji codes kept as Slack shows them). */
export function Text({ text, ctx }: { text: TextObj | undefined; ctx: BlockContext }) {
  if (!text) return null;
  if (text.type === 'plain_text') return html`<span class="plain">${text.text}</span>`;
  return html`<span class="mrkdwn">${parseMrkdwn(text.text).map((n, i) => node(n, ctx, i))}</span>`;
}

function plainOf(t: TextObj | undefined): string {
  return t?.text ?? '';
}

interface ElementProps {
  e: Element;
  blockId: string;
  actionId: string;
  ctx: BlockContext;
  /** Whether a change is sent as block_actions (always outside inputs; with dispatch_action inside). */
  dispatch: boolean;
  label?: string;
}

function Button({ e, blockId, actionId, ctx }: ElementProps) {
  const onClick = () => {
    if (e.url) window.open(e.url, '_blank', 'noreferrer');
    ctx.act({
      type: 'button',
      action_id: actionId,
      block_id: blockId,
      text: e.text,
      ...(e.value !== undefined ? { value: e.value } : {}),
      ...(e.style ? { style: e.style } : {}),
    });
  };
  return html`<button type="button" class=${`bk-button ${e.style ?? ''}`} onClick=${onClick}>${plainOf(e.text)}</button>`;
}

function StaticSelect({ e, blockId, actionId, ctx, dispatch, label }: ElementProps) {
  const current = ctx.values[blockId]?.[actionId]?.selected_option as Option | null | undefined;
  const onChange = (ev: Event) => {
    const value = (ev.target as HTMLSelectElement).value;
    const option = e.options?.find((o) => o.value === value) ?? null;
    ctx.setValue(blockId, actionId, { type: e.type, selected_option: option });
    if (dispatch && option)
      ctx.act({ type: e.type, action_id: actionId, block_id: blockId, selected_option: option });
  };
  return html`<select class="bk-select" aria-label=${label ?? plainOf(e.placeholder)} value=${current?.value ?? ''} onChange=${onChange}>
    <option value="" disabled>${plainOf(e.placeholder) || 'Select an item'}</option>
    ${(e.options ?? []).map((o) => html`<option key=${o.value} value=${o.value}>${plainOf(o.text)}</option>`)}
  </select>`;
}

function ExternalSelect({ e, blockId, actionId, ctx, dispatch, label }: ElementProps) {
  const current = ctx.values[blockId]?.[actionId]?.selected_option as Option | null | undefined;
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<Option[]>([]);
  const min = e.min_query_length ?? 3;
  useEffect(() => {
    if (!open || query.length < min) {
      setOptions([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      void ctx.suggest(blockId, actionId, query).then((found) => {
        if (live) setOptions(found);
      });
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query, open]);
  const pick = (o: Option) => {
    ctx.setValue(blockId, actionId, { type: e.type, selected_option: o });
    setOpen(false);
    setQuery('');
    if (dispatch) ctx.act({ type: e.type, action_id: actionId, block_id: blockId, selected_option: o });
  };
  return html`<div class="bk-external">
    <input
      class="bk-input"
      role="combobox"
      aria-expanded=${open}
      aria-label=${label ?? plainOf(e.placeholder)}
      placeholder=${current ? plainOf(current.text) : plainOf(e.placeholder)}
      value=${open ? query : current ? plainOf(current.text) : ''}
      onFocus=${() => setOpen(true)}
      onInput=${(ev: Event) => setQuery((ev.target as HTMLInputElement).value)}
    />
    ${
      open && query.length >= min
        ? html`<ul class="bk-options" role="listbox">
            ${options.length === 0 ? html`<li class="muted">No results</li>` : null}
            ${options.map(
              (o) =>
                html`<li key=${o.value} role="option" aria-selected=${current?.value === o.value} onMouseDown=${(
                  ev: Event,
                ) => {
                  ev.preventDefault();
                  pick(o);
                }}>${plainOf(o.text)}</li>`,
            )}
          </ul>`
        : null
    }
  </div>`;
}

function UsersSelect({ e, blockId, actionId, ctx, dispatch, label }: ElementProps) {
  const current = ctx.values[blockId]?.[actionId]?.selected_user as string | null | undefined;
  const onChange = (ev: Event) => {
    const user = (ev.target as HTMLSelectElement).value || null;
    ctx.setValue(blockId, actionId, { type: e.type, selected_user: user });
    if (dispatch && user)
      ctx.act({ type: e.type, action_id: actionId, block_id: blockId, selected_user: user });
  };
  return html`<select class="bk-select" aria-label=${label ?? plainOf(e.placeholder)} value=${current ?? ''} onChange=${onChange}>
    <option value="" disabled>${plainOf(e.placeholder) || 'Select a person'}</option>
    ${ctx.people.map((p) => html`<option key=${p.id} value=${p.id}>${p.realName}</option>`)}
  </select>`;
}

function DatePicker({ e, blockId, actionId, ctx, dispatch, label }: ElementProps) {
  const current = ctx.values[blockId]?.[actionId]?.selected_date as string | null | undefined;
  const onChange = (ev: Event) => {
    const date = (ev.target as HTMLInputElement).value || null;
    ctx.setValue(blockId, actionId, { type: e.type, selected_date: date });
    if (dispatch && date)
      ctx.act({ type: e.type, action_id: actionId, block_id: blockId, selected_date: date });
  };
  return html`<input type="date" class="bk-input bk-date" aria-label=${label ?? plainOf(e.placeholder)} value=${current ?? ''} onChange=${onChange} />`;
}

function Radios({ e, blockId, actionId, ctx, dispatch, label }: ElementProps) {
  const current = ctx.values[blockId]?.[actionId]?.selected_option as Option | null | undefined;
  const choose = (o: Option) => {
    ctx.setValue(blockId, actionId, { type: e.type, selected_option: o });
    if (dispatch) ctx.act({ type: e.type, action_id: actionId, block_id: blockId, selected_option: o });
  };
  return html`<div class="bk-radios" role="radiogroup" aria-label=${label ?? ''}>
    ${(e.options ?? []).map(
      (o) => html`<label key=${o.value} class="bk-choice">
        <input type="radio" name=${`${blockId}/${actionId}`} checked=${current?.value === o.value} onChange=${() => choose(o)} />
        <span><${Text} text=${o.text} ctx=${ctx} />${o.description ? html`<div class="muted"><${Text} text=${o.description} ctx=${ctx} /></div>` : null}</span>
      </label>`,
    )}
  </div>`;
}

function Checkboxes({ e, blockId, actionId, ctx, dispatch, label }: ElementProps) {
  const current = (ctx.values[blockId]?.[actionId]?.selected_options as Option[] | undefined) ?? [];
  const toggle = (o: Option, on: boolean) => {
    const next = on
      ? [...current.filter((c) => c.value !== o.value), o]
      : current.filter((c) => c.value !== o.value);
    ctx.setValue(blockId, actionId, { type: e.type, selected_options: next });
    if (dispatch) ctx.act({ type: e.type, action_id: actionId, block_id: blockId, selected_options: next });
  };
  return html`<div class="bk-checks" role="group" aria-label=${label ?? ''}>
    ${(e.options ?? []).map(
      (o) => html`<label key=${o.value} class="bk-choice">
        <input type="checkbox" checked=${current.some((c) => c.value === o.value)} onChange=${(ev: Event) => toggle(o, (ev.target as HTMLInputElement).checked)} />
        <span><${Text} text=${o.text} ctx=${ctx} /></span>
      </label>`,
    )}
  </div>`;
}

const INPUT_TYPES: Record<string, string> = {
  plain_text_input: 'text',
  email_text_input: 'email',
  url_text_input: 'url',
  number_input: 'number',
};

function TextInput({ e, blockId, actionId, ctx, dispatch, label }: ElementProps) {
  const current = (ctx.values[blockId]?.[actionId]?.value as string | null | undefined) ?? '';
  const onInput = (ev: Event) =>
    ctx.setValue(blockId, actionId, { type: e.type, value: (ev.target as HTMLInputElement).value || null });
  const onKeyDown = (ev: KeyboardEvent) => {
    if (dispatch && ev.key === 'Enter' && !e.multiline)
      ctx.act({ type: e.type, action_id: actionId, block_id: blockId, value: current });
  };
  const common = {
    class: 'bk-input',
    'aria-label': label ?? plainOf(e.placeholder),
    placeholder: plainOf(e.placeholder),
    value: current,
    onInput,
    onKeyDown,
  };
  if (e.multiline) return html`<textarea rows="3" ...${common} />`;
  return html`<input
    type=${INPUT_TYPES[e.type] ?? 'text'}
    step=${e.type === 'number_input' && !e.is_decimal_allowed ? '1' : 'any'}
    min=${e.min_value}
    max=${e.max_value}
    ...${common}
  />`;
}

const ELEMENTS: Record<string, (p: ElementProps) => unknown> = {
  button: Button,
  static_select: StaticSelect,
  external_select: ExternalSelect,
  users_select: UsersSelect,
  datepicker: DatePicker,
  radio_buttons: Radios,
  checkboxes: Checkboxes,
  plain_text_input: TextInput,
  email_text_input: TextInput,
  url_text_input: TextInput,
  number_input: TextInput,
};

function ElementView(props: ElementProps) {
  if (props.e.type === 'image')
    return html`<img class="bk-image" src=${props.e.image_url} alt=${props.e.alt_text ?? ''} />`;
  const draw = ELEMENTS[props.e.type];
  return draw ? html`<${draw} ...${props} />` : html`<span class="muted">[${props.e.type}]</span>`;
}

function BlockView({ b, i, ctx }: { b: Block; i: number; ctx: BlockContext }) {
  const blockId = blockIdOf(b, i);
  const error = ctx.errors?.[blockId];
  switch (b.type) {
    case 'header':
      return html`<h3 class="bk-header">${plainOf(b.text)}</h3>`;
    case 'divider':
      return html`<hr class="bk-divider" />`;
    case 'section':
      return html`<div class="bk-section">
        <div class="bk-section-main">
          ${b.text ? html`<div class="bk-text"><${Text} text=${b.text} ctx=${ctx} /></div>` : null}
          ${b.fields ? html`<div class="bk-fields">${b.fields.map((f, j) => html`<div key=${j} class="bk-field"><${Text} text=${f} ctx=${ctx} /></div>`)}</div>` : null}
        </div>
        ${b.accessory ? html`<div class="bk-accessory"><${ElementView} e=${b.accessory} blockId=${blockId} actionId=${actionIdOf(b.accessory, 0)} ctx=${ctx} dispatch=${true} /></div>` : null}
      </div>`;
    case 'context':
      return html`<div class="bk-context">${(b.elements ?? []).map((e, j) =>
        e.type === 'image'
          ? html`<img key=${j} src=${e.image_url} alt=${e.alt_text ?? ''} />`
          : html`<span key=${j}><${Text} text=${e} ctx=${ctx} /></span>`,
      )}</div>`;
    case 'actions':
      return html`<div class="bk-actions">${(b.elements ?? []).map(
        (e, j) =>
          html`<${ElementView} key=${j} e=${e} blockId=${blockId} actionId=${actionIdOf(e, j)} ctx=${ctx} dispatch=${true} />`,
      )}</div>`;
    case 'input': {
      if (!b.element) return null;
      const label = plainOf(b.label);
      return html`<div class=${`bk-input-block ${error ? 'has-error' : ''}`}>
        <label class="bk-label">${label}${b.optional ? html` <span class="muted">(optional)</span>` : null}</label>
        <${ElementView} e=${b.element} blockId=${blockId} actionId=${actionIdOf(b.element, 0)} ctx=${ctx} dispatch=${b.dispatch_action === true} label=${label} />
        ${error ? html`<div class="bk-error" role="alert">${error}</div>` : null}
        ${b.hint ? html`<div class="bk-hint">${plainOf(b.hint)}</div>` : null}
      </div>`;
    }
    case 'image': {
      // A file uploaded to the stand-in is served by it under /files/.
      const src =
        b.image_url ??
        b.slack_file?.url ??
        (b.slack_file?.id ? `/files/${encodeURIComponent(b.slack_file.id)}` : '');
      return html`<figure class="bk-image-block">
        ${b.title ? html`<figcaption class="bk-hint">${plainOf(b.title)}</figcaption>` : null}
        <img class="bk-image-large" src=${src} alt=${b.alt_text ?? ''} />
      </figure>`;
    }
    default:
      return html`<div class="muted">[${b.type}]</div>`;
  }
}

export function Blocks({ blocks, ctx }: { blocks: Block[]; ctx: BlockContext }) {
  return html`<div class="blocks">${blocks.map((b, i) => html`<${BlockView} key=${b.block_id ?? i} b=${b} i=${i} ctx=${ctx} />`)}</div>`;
}
