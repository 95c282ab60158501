/**
 * The sandbox page: a Slack client for what AR Bridge uses. A sidebar with the finance channel and
 * the app (Home and Messages tabs), messages with threads and ephemeral replies, modals, a message
 * box that sends slash commands, a person switcher, and panels for the CRM, Billing and the Clock.
 * It reads what the current person sees from /sandbox/state and reloads when the server says
 * something changed.
 */
import htm from 'htm';
import { h, render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  avatarColor,
  type Block,
  type BlockContext,
  Blocks,
  type ElementValue,
  mergeValues,
  type Option,
  type Person,
  personName,
  type TextObj,
  type Values,
} from './blocks.ts';
import { formatDate } from './mrkdwn.ts';

const html = htm.bind(h);

interface Message {
  channel: string;
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  blocks?: Block[];
  thread_ts?: string;
  edited?: unknown;
}
interface Ephemeral {
  channel: string;
  ts: string;
  text: string;
  blocks?: Block[];
  thread_ts?: string;
}
interface View {
  id: string;
  type: string;
  hash: string;
  title?: TextObj;
  submit?: TextObj | null;
  close?: TextObj | null;
  blocks: Block[];
}
interface State {
  me: string;
  ready: boolean;
  now: string;
  offsetMs: number;
  team: { id: string; name: string };
  bot: { id: string; name: string };
  people: Person[];
  channels: Array<{ id: string; name: string }>;
  dm: string;
  messages: Message[];
  ephemerals: Ephemeral[];
  modals: View[];
  home: View | null;
}

type Place = { kind: 'channel'; id: string } | { kind: 'app'; tab: 'home' | 'messages' };
type Source =
  | { kind: 'message' | 'ephemeral'; channel: string; ts: string }
  | { kind: 'view'; viewId: string };

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`/sandbox/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

/** Entered values per surface (a view id, or channel/ts for a message). */
const entered = new Map<string, Values>();

function useSandbox(me: string) {
  const [state, setState] = useState<State | null>(null);
  useEffect(() => {
    let live = true;
    const load = async () => {
      const res = await fetch(`/sandbox/state?as=${me}`);
      if (live && res.ok) setState((await res.json()) as State);
    };
    void load();
    const events = new EventSource('/sandbox/events');
    events.onmessage = () => void load();
    return () => {
      live = false;
      events.close();
    };
  }, [me]);
  return state;
}

/** How far the Clock panel moved business time: "+3 h", "+2 d". */
function ahead(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  return hours < 48 ? `+${hours} h` : `+${Math.round(hours / 24)} d`;
}

function timeOf(ts: string, tz: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: tz, hour: 'numeric', minute: '2-digit' }).format(
    new Date(Number(ts) * 1000),
  );
}

function Avatar({ id, name, bot }: { id: string; name: string; bot: boolean }) {
  const initials = bot
    ? 'AR'
    : name
        .split(' ')
        .map((w) => w[0])
        .join('')
        .slice(0, 2);
  return html`<div class=${`avatar ${bot ? 'bot' : ''}`} style=${{ background: bot ? '#4a154b' : avatarColor(id) }} aria-hidden="true">${initials}</div>`;
}

function App() {
  const params = new URLSearchParams(location.search);
  const [me, setMe] = useState(params.get('as') ?? 'U0MAYACHEN');
  const [place, setPlace] = useState<Place>({ kind: 'channel', id: 'C0FINANCE' });
  const [thread, setThread] = useState<{ channel: string; ts: string } | null>(null);
  const [panel, setPanel] = useState<'crm' | 'billing' | 'clock' | null>(null);
  const [, setTick] = useState(0);
  const state = useSandbox(me);
  if (!state) return html`<div class="loading">Loading the sandbox…</div>`;
  const meP = state.people.find((p) => p.id === me);
  const tz = meP?.tz ?? 'UTC';
  const now = new Date(state.now);

  const switchTo = (id: string) => {
    setMe(id);
    setThread(null);
    history.replaceState(null, '', `?as=${id}`);
  };
  const openHome = () => {
    setPlace({ kind: 'app', tab: 'home' });
    setThread(null);
    void post('home', { as: me });
  };

  const ctxFor = (
    surface: BlockContext['surface'],
    key: string,
    source: Source,
    blocks: Block[],
    errors?: Record<string, string>,
  ): BlockContext => {
    const values = mergeValues(blocks, entered.get(key));
    entered.set(key, values);
    return {
      people: state.people,
      botName: state.bot.name,
      tz,
      now,
      surface,
      values,
      errors,
      setValue(blockId: string, actionId: string, value: ElementValue) {
        values[blockId] = { ...values[blockId], [actionId]: value };
        setTick((t) => t + 1);
      },
      act(action) {
        void post('action', { as: me, source, action, values });
      },
      async suggest(blockId, actionId, query) {
        const viewId = source.kind === 'view' ? source.viewId : null;
        const r = await post('suggest', { as: me, viewId, blockId, actionId, value: query });
        return (r.options as Option[] | undefined) ?? [];
      },
      openChannel(id) {
        setPlace({ kind: 'channel', id });
      },
    };
  };

  const channelName = (id: string) => state.channels.find((c) => c.id === id)?.name ?? id;

  const MessageView = ({
    m,
    ephemeral,
    inThread,
  }: {
    m: Message | Ephemeral;
    ephemeral: boolean;
    inThread: boolean;
  }) => {
    const user = 'user' in m ? m.user : undefined;
    const bot = ephemeral || Boolean('bot_id' in m && m.bot_id) || user === state.bot.id;
    const name = bot
      ? state.bot.name
      : personName({ people: state.people, botName: state.bot.name }, user ?? '');
    const replies =
      inThread || ephemeral
        ? []
        : state.messages.filter((r) => r.channel === m.channel && r.thread_ts === m.ts && r.ts !== m.ts);
    const source: Source = { kind: ephemeral ? 'ephemeral' : 'message', channel: m.channel, ts: m.ts };
    const blocks = m.blocks && m.blocks.length > 0 ? m.blocks : null;
    const ctx = ctxFor('message', `${m.channel}/${m.ts}`, source, blocks ?? []);
    return html`<div class=${`message ${ephemeral ? 'ephemeral' : ''}`} data-ts=${m.ts}>
      <${Avatar} id=${user ?? 'bot'} name=${name} bot=${bot} />
      <div class="message-body">
        <div class="message-head"><b>${name}</b>${bot ? html`<span class="app-badge">APP</span>` : null}<span class="time">${timeOf(m.ts, tz)}</span></div>
        ${blocks ? html`<${Blocks} blocks=${blocks} ctx=${ctx} />` : html`<div class="bk-text"><${TextOf} text=${m.text} ctx=${ctx} /></div>`}
        ${'edited' in m && m.edited ? html`<span class="muted edited">(edited)</span>` : null}
        ${ephemeral ? html`<div class="only-you">👁 Only visible to you</div>` : null}
        ${
          replies.length > 0
            ? html`<button type="button" class="replies" onClick=${() => setThread({ channel: m.channel, ts: m.ts })}>${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}</button>`
            : !ephemeral && !inThread && m.channel.startsWith('C')
              ? html`<button type="button" class="reply-link" aria-label="Reply in thread" onClick=${() => setThread({ channel: m.channel, ts: m.ts })}>Reply</button>`
              : null
        }
      </div>
    </div>`;
  };

  const conversation = (channel: string, threadTs: string | null) => {
    const inThread = threadTs !== null;
    const list: Array<{ m: Message | Ephemeral; ephemeral: boolean }> = [
      ...state.messages
        .filter(
          (m) =>
            m.channel === channel &&
            (inThread ? m.ts === threadTs || m.thread_ts === threadTs : !m.thread_ts || m.thread_ts === m.ts),
        )
        .map((m) => ({ m, ephemeral: false })),
      ...state.ephemerals
        .filter((e) => e.channel === channel && (inThread ? e.thread_ts === threadTs : !e.thread_ts))
        .map((m) => ({ m, ephemeral: true })),
    ].sort((a, b) => Number(a.m.ts) - Number(b.m.ts));
    return list.map(
      ({ m, ephemeral }) =>
        html`<${MessageView} key=${`${ephemeral}${m.ts}`} m=${m} ephemeral=${ephemeral} inThread=${inThread} />`,
    );
  };

  const header =
    place.kind === 'channel'
      ? html`<div class="channel-header"><h2># ${channelName(place.id)}</h2></div>`
      : html`<div class="channel-header"><h2><span class="app-icon">AR</span> ${state.bot.name}</h2>
          <div class="tabs" role="tablist">
            <button role="tab" aria-selected=${place.tab === 'home'} onClick=${openHome}>Home</button>
            <button role="tab" aria-selected=${place.tab === 'messages'} onClick=${() => setPlace({ kind: 'app', tab: 'messages' })}>Messages</button>
          </div></div>`;
  const channel = place.kind === 'channel' ? place.id : state.dm;
  const main =
    place.kind === 'app' && place.tab === 'home'
      ? html`<div class="home" aria-label="App Home">${
          state.home
            ? html`<${Blocks} blocks=${state.home.blocks} ctx=${ctxFor('home', state.home.id, { kind: 'view', viewId: state.home.id }, state.home.blocks)} />`
            : html`<div class="muted">Loading Home…</div>`
        }</div>`
      : html`<${Scrolled} label="Messages">${conversation(channel, null)}</${Scrolled}>
        <${Composer} key=${channel} me=${me} channel=${channel} placeholder=${place.kind === 'channel' ? `Message #${channelName(channel)}` : `Message ${state.bot.name}`} />`;

  return html`<div class="workspace">
    <aside class="sidebar">
      <div class="team">${state.team.name}</div>
      <label class="switcher">Viewing as
        <select aria-label="Viewing as" value=${me} onChange=${(e: Event) => switchTo((e.target as HTMLSelectElement).value)}>
          ${state.people.map((p) => html`<option key=${p.id} value=${p.id}>${p.realName} (${p.role === 'ar' ? 'AR' : p.role})</option>`)}
        </select>
      </label>
      <div class="section-title">Channels</div>
      ${state.channels.map(
        (c) =>
          html`<button key=${c.id} type="button" class=${`nav ${place.kind === 'channel' && place.id === c.id ? 'active' : ''}`} onClick=${() => {
            setPlace({ kind: 'channel', id: c.id });
            setThread(null);
          }}># ${c.name}</button>`,
      )}
      <div class="section-title">Apps</div>
      <button type="button" class=${`nav ${place.kind === 'app' ? 'active' : ''}`} onClick=${openHome}><span class="app-icon small">AR</span> ${state.bot.name}</button>
      <div class="section-title">Outside world</div>
      <button type="button" class="nav" onClick=${() => setPanel('crm')}>🤝 CRM</button>
      <button type="button" class="nav" onClick=${() => setPanel('billing')}>🧾 Billing</button>
      <button type="button" class="nav" onClick=${() => setPanel('clock')}>⏰ Clock</button>
      <div class="clock-now" aria-label="Business time">${formatDate(now.getTime() / 1000, '{date_short} {time}', tz, now)}${state.offsetMs > 0 ? html` <span class="ahead">${ahead(state.offsetMs)}</span>` : null}</div>
    </aside>
    <main class="main">${state.ready ? null : html`<div class="starting" role="status">Starting the bot and loading the demo data…</div>`}${header}${main}</main>
    ${
      thread
        ? html`<section class="thread" aria-label="Thread">
            <div class="thread-header"><b>Thread</b> <span class="muted"># ${channelName(thread.channel)}</span><button type="button" class="close" aria-label="Close thread" onClick=${() => setThread(null)}>✕</button></div>
            <${Scrolled} label="Thread messages">${conversation(thread.channel, thread.ts)}</${Scrolled}>
            <${Composer} key=${thread.ts} me=${me} channel=${thread.channel} threadTs=${thread.ts} placeholder="Reply…" />
          </section>`
        : null
    }
    ${panel ? html`<${Panel} kind=${panel} state=${state} onClose=${() => setPanel(null)} />` : null}
    ${state.modals.map((v, i) => html`<${Modal} key=${v.id} view=${v} me=${me} top=${i === state.modals.length - 1} ctxFor=${ctxFor} />`)}
  </div>`;
}

/** A message list that, like Slack, shows the newest at the bottom and follows new messages. */
function Scrolled({ label, children }: { label: string; children: unknown[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [children.length]);
  return html`<div class="messages" aria-label=${label} ref=${ref}>${children}</div>`;
}

function TextOf({ text, ctx }: { text: string; ctx: BlockContext }) {
  return html`<${Blocks} blocks=${[{ type: 'section', text: { type: 'mrkdwn', text } }]} ctx=${ctx} />`;
}

function Composer({
  me,
  channel,
  threadTs,
  placeholder,
}: {
  me: string;
  channel: string;
  threadTs?: string;
  placeholder: string;
}) {
  const [text, setText] = useState('');
  const send = async (e: Event) => {
    e.preventDefault();
    const t = text.trim();
    if (!t) return;
    setText('');
    await post('send', { as: me, channel, text: t, ...(threadTs ? { thread_ts: threadTs } : {}) });
  };
  return html`<form class="composer" onSubmit=${send}>
    <input aria-label=${placeholder} placeholder=${placeholder} value=${text} onInput=${(e: Event) => setText((e.target as HTMLInputElement).value)} />
    <button type="submit" class="send" aria-label="Send">➤</button>
  </form>`;
}

function Modal({
  view,
  me,
  top,
  ctxFor,
}: {
  view: View;
  me: string;
  top: boolean;
  ctxFor: (
    s: BlockContext['surface'],
    k: string,
    src: Source,
    b: Block[],
    e?: Record<string, string>,
  ) => BlockContext;
}) {
  const [errors, setErrors] = useState<Record<string, string> | undefined>(undefined);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A new version of the view (views.update, response_action: update) starts without errors.
  useEffect(() => setErrors(undefined), [view.hash]);
  const ctx = ctxFor('modal', view.id, { kind: 'view', viewId: view.id }, view.blocks, errors);
  const submit = async (e: Event) => {
    e.preventDefault();
    // Like Slack, a required input left empty is flagged here and nothing is sent.
    const missing = requiredLeftEmpty(view.blocks, ctx.values);
    if (Object.keys(missing).length > 0) {
      setErrors(missing);
      return;
    }
    setBusy(true);
    const r = await post('submit', { as: me, viewId: view.id, values: ctx.values });
    setBusy(false);
    setErrors((r.errors as Record<string, string> | undefined) ?? undefined);
    setProblem((r.problem as string | undefined) ?? null);
  };
  const title = view.title?.text ?? '';
  return html`<div class=${`overlay ${top ? '' : 'hidden'}`}>
    <form class="modal" role="dialog" aria-modal="true" aria-label=${title} noValidate onSubmit=${submit}>
      <div class="modal-header"><h2>${title}</h2><button type="button" class="close" aria-label="Close" onClick=${() => void post('close', { as: me })}>✕</button></div>
      <div class="modal-body">
        ${problem ? html`<div class="modal-problem" role="alert">${problem}</div>` : null}
        <${Blocks} blocks=${view.blocks} ctx=${ctx} />
      </div>
      <div class="modal-footer">
        <button type="button" class="bk-button" onClick=${() => void post('close', { as: me })}>${view.close?.text ?? 'Cancel'}</button>
        ${view.submit ? html`<button type="submit" class="bk-button primary" disabled=${busy}>${view.submit.text}</button>` : null}
      </div>
    </form>
  </div>`;
}

/** Required inputs (no `optional: true`) without a value, by block_id, with Slack's words. */
function requiredLeftEmpty(blocks: Block[], values: Values): Record<string, string> {
  const missing: Record<string, string> = {};
  blocks.forEach((b, i) => {
    if (b.type !== 'input' || b.optional === true || !b.element) return;
    const blockId = b.block_id ?? `b${i}`;
    const value = Object.values(values[blockId] ?? {})[0];
    const filled =
      value !== undefined &&
      Object.entries(value).some(
        ([k, v]) => k !== 'type' && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0),
      );
    if (!filled) missing[blockId] = 'Please complete this required field.';
  });
  return missing;
}

function Result({ result }: { result: Record<string, unknown> | null }) {
  if (!result) return null;
  return html`<pre class="result" aria-label="Response">${JSON.stringify(result, null, 2)}</pre>`;
}

const CSV_EXAMPLE = `Invoice Number,Customer,Amount,Balance,Currency,Invoice Date,Due Date
INV-5001,Northwind Traders,1200.00,1200.00,USD,2026-10-01,2026-10-31`;

function Panel({
  kind,
  state,
  onClose,
}: {
  kind: 'crm' | 'billing' | 'clock';
  state: State;
  onClose: () => void;
}) {
  const [result, setResult] = useState<Record<string, unknown> | null>(null);
  const reps = state.people.filter((p) => p.role === 'rep');
  const today = state.now.slice(0, 10);
  const run = async (path: string, body: unknown) => setResult(await post(path, body));
  const form = (e: Event) => {
    const data = new FormData(e.target as HTMLFormElement);
    return (k: string) => String(data.get(k) ?? '');
  };
  const crm = (e: Event) => {
    e.preventDefault();
    const get = form(e);
    const account = get('account');
    void run('crm', {
      deal_id: get('deal_id'),
      deal_name: get('deal_name'),
      amount_cents: Math.round(Number(get('amount')) * 100),
      currency: get('currency'),
      closed_at: new Date(state.now).toISOString(),
      owner: { slack_user_id: get('owner') },
      account: { id: `A-${account.toUpperCase().replace(/[^A-Z0-9]+/g, '-')}`, name: account },
    });
  };
  const invoice = (e: Event) => {
    e.preventDefault();
    const get = form(e);
    const cents = Math.round(Number(get('amount')) * 100);
    void run('billing', {
      invoices: [
        {
          number: get('number'),
          account: { name: get('account') },
          amount_cents: cents,
          balance_cents: Math.round(Number(get('balance') || get('amount')) * 100),
          currency: get('currency'),
          issued_on: get('issued_on'),
          due_on: get('due_on'),
        },
      ],
    });
  };
  const csv = (e: Event) => {
    e.preventDefault();
    void run('billing', { csv: form(e)('csv') });
  };
  const upload = async (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void run('billing', { csv: await file.text() });
  };
  const title = { crm: 'CRM', billing: 'Billing', clock: 'Clock' }[kind];
  return html`<aside class="panel" role="dialog" aria-label=${title}>
    <div class="panel-header"><h2>${title}</h2><button type="button" class="close" aria-label="Close panel" onClick=${onClose}>✕</button></div>
    ${
      kind === 'crm'
        ? html`<p class="muted">Closes a deal: a signed <code>POST /webhooks/deal-closed</code>, as your CRM sends it.</p>
          <form onSubmit=${crm} class="panel-form">
            <label>Deal id<input name="deal_id" value=${`D-${Date.now().toString().slice(-5)}`} /></label>
            <label>Deal name<input name="deal_name" value="Acme: enterprise plan" /></label>
            <label>Account<input name="account" value="Acme Corp" /></label>
            <label>Amount<input name="amount" type="number" step="0.01" value="25000" /></label>
            <label>Currency<input name="currency" value="USD" /></label>
            <label>Owner<select name="owner">${reps.map((p) => html`<option key=${p.id} value=${p.id}>${p.realName}</option>`)}</select></label>
            <button type="submit" class="bk-button primary">Close the deal</button>
          </form>`
        : kind === 'billing'
          ? html`<p class="muted">Sends invoices: <code>POST /api/invoices</code> with the bearer token, or an aging export as CSV.</p>
            <form onSubmit=${invoice} class="panel-form">
              <label>Invoice number<input name="number" value=${`INV-${Date.now().toString().slice(-4)}`} /></label>
              <label>Account<input name="account" value="Northwind Traders" /></label>
              <label>Amount<input name="amount" type="number" step="0.01" value="1500" /></label>
              <label>Balance<input name="balance" type="number" step="0.01" value="1500" /></label>
              <label>Currency<input name="currency" value="USD" /></label>
              <label>Issued on<input name="issued_on" type="date" value=${today} /></label>
              <label>Due on<input name="due_on" type="date" value=${today} /></label>
              <button type="submit" class="bk-button primary">Send invoice</button>
            </form>
            <form onSubmit=${csv} class="panel-form">
              <label>Aging export (CSV)<textarea name="csv" rows="4">${CSV_EXAMPLE}</textarea></label>
              <button type="submit" class="bk-button">Import CSV</button>
              <label class="upload">…or upload a file <input type="file" accept=".csv,text/csv" onChange=${upload} /></label>
            </form>`
          : html`<p class="muted">Moves business time forward and runs the sweeps: reminders, past-due pings, broken promises and credit holds happen now.</p>
            <div class="panel-form clock-buttons">
              <button type="button" class="bk-button" onClick=${() => void run('clock', { hours: 1 })}>+1 hour</button>
              <button type="button" class="bk-button" onClick=${() => void run('clock', { hours: 24 })}>+1 day</button>
              <button type="button" class="bk-button" onClick=${() => void run('clock', { hours: 24 * 7 })}>+1 week</button>
            </div>`
    }
    <${Result} result=${result} />
  </aside>`;
}

render(html`<${App} />`, document.getElementById('app') as HTMLElement);
