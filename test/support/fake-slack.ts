/**
 * A fake Slack Web API on loopback, for end-to-end tests that drive the real @slack/web-api client
 * (and Bolt's `client`) over HTTP. Point the app at it with `slackApiUrl: fake.url`.
 *
 * What it models: the answers of the methods AR Bridge uses, in the shapes Slack documents, message
 * metadata included (conversations.history and .replies return it with `include_all_metadata`, in
 * pages of at most 15, the limit Slack sets for apps outside its Marketplace); injected faults
 * (429 with Retry-After, 500, `ok:false`, a connection reset before the call is handled, and a call
 * handled, the message posted, then the connection dropped before the answer), one at a time with
 * `failNext` or at random with `chaos`; and `response_url` endpoints for slash commands and
 * interactions. Everything it receives is recorded in arrival order.
 *
 * `reset()` clears the recorded calls, responses and pending faults. Users, posted messages and views
 * survive it (as they would in a real workspace), and message `ts` values keep increasing (they
 * follow the wall clock, like Slack's), so state persisted by the app across tests stays consistent
 * with the fake.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Random, seededRandom } from './random.ts';

export interface SlackCall {
  method: string;
  /** The request arguments; JSON-string fields (`blocks`, `view`, …) decoded, `token` removed. */
  args: Record<string, unknown>;
  /** From `Authorization: Bearer …`, else a `token` argument. */
  token: string | null;
  /** `Date.now()` on arrival. */
  at: number;
  /** HTTP status of an injected fault (429, 500, or 200 for an injected `ok:false`; 0 for a reset). */
  fault?: number;
  /**
   * The connection was dropped without an answer: `before` the call was handled (nothing happened,
   * `fault` is 0), or `after` it (it took effect, a message was posted; it counts as successful).
   */
  dropped?: 'before' | 'after';
  /** The JSON body the fake answered with (absent for an injected 500). */
  response?: Record<string, unknown>;
}

export type SlackFault =
  | { status: 429; retryAfter: number }
  | { status: 500 }
  | { error: string }
  /** Reset the connection, or handle the call and then drop the connection without answering. */
  | { drop: 'before' | 'after' };

/** Faults injected at random, each with its probability per call, from a seeded generator. */
export interface ChaosOptions {
  seed: number;
  rateLimited?: number;
  /** Seconds in the 429's Retry-After (default 1). */
  retryAfter?: number;
  serverError?: number;
  reset?: number;
  /** The call takes effect, then the connection drops: the caller never hears that it did. */
  acceptThenDrop?: number;
  /** Methods that get faults (default: all but auth.test). */
  methods?: readonly string[];
}

export interface FakeSlackUser {
  id: string;
  email?: string;
  /** IANA time zone; defaults to 'America/Los_Angeles'. */
  tz?: string;
  realName?: string;
  isBot?: boolean;
  deleted?: boolean;
}

export interface FakeResponse {
  path: string;
  body: unknown;
}

export interface WaitOptions {
  /** Default 5000 ms. */
  timeoutMs?: number;
  /** Default 1. */
  count?: number;
}

export interface FakeSlackOptions {
  teamId?: string;
  botUserId?: string;
}

export interface FakeSlack {
  /** `http://127.0.0.1:PORT/api/` — use as `slackApiUrl`. */
  readonly url: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly calls: SlackCall[];
  readonly responses: FakeResponse[];
  /** Latest version of every view opened, pushed, updated or published, by view id. */
  readonly views: Map<string, Record<string, unknown>>;
  callsTo(method: string): SlackCall[];
  waitFor(method: string, predicate?: (c: SlackCall) => boolean, opts?: WaitOptions): Promise<SlackCall[]>;
  failNext(method: string, fault: SlackFault, times?: number): void;
  /** Random faults from now on (null stops them); queued `failNext` faults come first. */
  chaos(options: ChaosOptions | null): void;
  /** Every message in every conversation, as stored (metadata included), oldest first. */
  messages(): Array<Record<string, unknown> & { channel: string; ts: string }>;
  addUser(u: FakeSlackUser): void;
  /** A fresh `response_url` on this server; POSTs to it land in `responses`. */
  responseUrl(): string;
  waitForResponse(predicate?: (r: FakeResponse) => boolean, opts?: WaitOptions): Promise<FakeResponse[]>;
  /** Answers `method` with `handler` from now on (methods the fake does not know, or a different answer). */
  handle(method: string, handler: (args: Record<string, unknown>) => Record<string, unknown>): void;
  reset(): void;
  close(): Promise<void>;
}

type Args = Record<string, unknown>;
type Result = Record<string, unknown>;
type Handler = (args: Args) => Result;

const BOT_ID = 'B0BOT';
const APP_ID = 'A0APP';
const DEFAULT_TZ = 'America/Los_Angeles';
const DEFAULT_TIMEOUT_MS = 5000;
/** Fields @slack/web-api sends as JSON strings inside a form body. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'unfurls', 'user_auth_blocks']);
/** conversations.history and .replies: the most messages per page (Slack's limit outside its Marketplace). */
const MAX_PAGE = 15;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function fail(error: string): Result {
  return { ok: false, error };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Query string, then form or JSON body; JSON-string fields decoded; token split out. */
function parseApiRequest(req: IncomingMessage, url: URL, raw: string): { args: Args; token: string | null } {
  const args: Args = Object.fromEntries(url.searchParams);
  const contentType = req.headers['content-type'] ?? '';
  if (contentType.startsWith('application/json')) {
    const parsed: unknown = raw === '' ? {} : JSON.parse(raw);
    if (isRecord(parsed)) Object.assign(args, parsed);
  } else if (raw !== '') {
    Object.assign(args, Object.fromEntries(new URLSearchParams(raw)));
  }
  for (const key of JSON_FIELDS) {
    const value = args[key];
    if (typeof value !== 'string') continue;
    try {
      args[key] = JSON.parse(value);
    } catch {
      // Not JSON: record it as sent.
    }
  }
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const token = bearer ?? str(args.token) ?? null;
  delete args.token;
  return { args, token };
}

function tzOffsetSeconds(tz: string, at: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name ?? '');
  if (match === null) return 0; // 'GMT' itself
  const [, sign = '+', hours = '0', minutes = '0'] = match;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 3600 + Number(minutes) * 60);
}

function tzLabel(tz: string, at: Date): string {
  return (
    new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'long' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? tz
  );
}

/** The stable DM channel id for a user: 'D' + the user id's tail. */
function dmChannelFor(userId: string): string {
  return `D${userId.slice(1)}`;
}

/** Slack accepts a user id as `channel` for chat methods and answers with the DM channel. */
function resolveChannel(channel: string): string {
  return /^[UW]/.test(channel) ? dmChannelFor(channel) : channel;
}

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const teamId = opts.teamId ?? 'T0TEAM';
  const botUserId = opts.botUserId ?? 'U0BOT';

  const calls: SlackCall[] = [];
  const responses: FakeResponse[] = [];
  const views = new Map<string, Record<string, unknown>>();
  const users = new Map<string, FakeSlackUser>();
  const messages = new Map<string, Record<string, unknown>>();
  const faults = new Map<string, SlackFault[]>();
  const homeViewIds = new Map<string, string>();
  const openedDms = new Set<string>();
  const waiters = new Set<() => void>();
  let lastTsMicros = 0;
  let chaos: { options: ChaosOptions; random: Random } | null = null;
  let viewCounter = 0;
  let hashCounter = 0;
  let responseCounter = 0;

  /** The wall clock in microseconds, at least 100 µs after the previous ts. */
  const nextTs = (): string => {
    const micros = Math.max(Date.now() * 1000, lastTsMicros + 100);
    lastTsMicros = micros;
    const seconds = Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, '0')}`;
  };
  const nextViewId = (): string => {
    viewCounter += 1;
    return `V${String(viewCounter).padStart(10, '0')}`;
  };
  const nextHash = (): string => {
    hashCounter += 1;
    return `1764000000.${String(hashCounter).padStart(8, '0')}`;
  };
  const messageKey = (channel: string, ts: string): string => `${channel}/${ts}`;

  const userObject = (u: FakeSlackUser): Record<string, unknown> => {
    const tz = u.tz ?? DEFAULT_TZ;
    const now = new Date();
    const name = u.email?.split('@')[0] ?? u.id.toLowerCase();
    const realName = u.realName ?? name;
    return {
      id: u.id,
      team_id: teamId,
      name,
      deleted: u.deleted ?? false,
      real_name: realName,
      tz,
      tz_label: tzLabel(tz, now),
      tz_offset: tzOffsetSeconds(tz, now),
      is_bot: u.isBot ?? false,
      is_app_user: false,
      updated: 1764000000,
      profile: compact({
        email: u.email,
        real_name: realName,
        real_name_normalized: realName,
        display_name: realName,
        display_name_normalized: realName,
        team: teamId,
      }),
    };
  };

  const buildView = (input: Args, id: string, externalId: unknown): Record<string, unknown> =>
    compact({
      id,
      team_id: teamId,
      type: str(input.type) ?? 'modal',
      blocks: Array.isArray(input.blocks) ? input.blocks : [],
      private_metadata: typeof input.private_metadata === 'string' ? input.private_metadata : '',
      callback_id: typeof input.callback_id === 'string' ? input.callback_id : '',
      state: { values: {} },
      hash: nextHash(),
      title: input.title,
      close: input.close ?? null,
      submit: input.submit ?? null,
      clear_on_close: input.clear_on_close ?? false,
      notify_on_close: input.notify_on_close ?? false,
      external_id: typeof externalId === 'string' ? externalId : '',
      previous_view_id: null,
      root_view_id: id,
      app_id: APP_ID,
      app_installed_team_id: teamId,
      bot_id: BOT_ID,
    });

  const openView = (args: Args): Result => {
    if (str(args.trigger_id) === undefined || !isRecord(args.view)) return fail('invalid_arguments');
    const id = nextViewId();
    const view = buildView(args.view, id, args.view.external_id);
    views.set(id, view);
    return { ok: true, view };
  };

  const handlers: Record<string, Handler> = {
    'auth.test': () => ({
      ok: true,
      url: 'https://fake.slack.com/',
      team: 'Fake Team',
      user: 'arbridge',
      team_id: teamId,
      user_id: botUserId,
      bot_id: BOT_ID,
      is_enterprise_install: false,
    }),

    'chat.postMessage': (args) => {
      const target = str(args.channel);
      if (target === undefined) return fail('channel_not_found');
      if (args.text === undefined && args.blocks === undefined && args.attachments === undefined) {
        return fail('no_text');
      }
      const channel = resolveChannel(target);
      const ts = nextTs();
      const message = compact({
        type: 'message',
        text: typeof args.text === 'string' ? args.text : '',
        user: botUserId,
        bot_id: BOT_ID,
        app_id: APP_ID,
        team: teamId,
        ts,
        blocks: args.blocks,
        attachments: args.attachments,
        metadata: args.metadata,
        thread_ts: str(args.thread_ts),
      });
      messages.set(messageKey(channel, ts), message);
      return { ok: true, channel, ts, message };
    },

    'chat.update': (args) => {
      const target = str(args.channel);
      const ts = str(args.ts);
      if (target === undefined) return fail('channel_not_found');
      const channel = resolveChannel(target);
      const existing = ts === undefined ? undefined : messages.get(messageKey(channel, ts));
      if (ts === undefined || existing === undefined) return fail('message_not_found');
      const message = compact({
        ...existing,
        text: typeof args.text === 'string' ? args.text : existing.text,
        blocks: args.blocks ?? existing.blocks,
        attachments: args.attachments ?? existing.attachments,
        metadata: args.metadata ?? existing.metadata,
        edited: { user: botUserId, ts: nextTs() },
      });
      messages.set(messageKey(channel, ts), message);
      return { ok: true, channel, ts, text: message.text, message };
    },

    'chat.postEphemeral': (args) => {
      if (str(args.channel) === undefined) return fail('channel_not_found');
      if (str(args.user) === undefined) return fail('user_not_found');
      return { ok: true, message_ts: nextTs() };
    },

    'chat.getPermalink': (args) => {
      const target = str(args.channel);
      const ts = str(args.message_ts);
      if (target === undefined) return fail('channel_not_found');
      if (ts === undefined) return fail('message_not_found');
      const channel = resolveChannel(target);
      return {
        ok: true,
        channel,
        permalink: `https://fake.slack.com/archives/${channel}/p${ts.replace('.', '')}`,
      };
    },

    'views.open': openView,
    'views.push': openView,

    'views.update': (args) => {
      if (!isRecord(args.view)) return fail('invalid_arguments');
      const viewId = str(args.view_id);
      const externalId = str(args.external_id);
      if (viewId === undefined && externalId === undefined) return fail('invalid_arguments');
      const existing =
        viewId !== undefined
          ? views.get(viewId)
          : [...views.values()].find((v) => v.external_id === externalId);
      if (existing === undefined) return fail('not_found');
      const hash = str(args.hash);
      if (hash !== undefined && hash !== existing.hash) return fail('hash_conflict');
      const id = String(existing.id);
      const view: Record<string, unknown> = {
        ...buildView(args.view, id, args.view.external_id ?? existing.external_id),
        root_view_id: existing.root_view_id,
        previous_view_id: existing.previous_view_id,
      };
      views.set(id, view);
      return { ok: true, view };
    },

    'views.publish': (args) => {
      const userId = str(args.user_id);
      if (userId === undefined || !isRecord(args.view)) return fail('invalid_arguments');
      const knownId = homeViewIds.get(userId);
      const existing = knownId === undefined ? undefined : views.get(knownId);
      const hash = str(args.hash);
      if (hash !== undefined && existing !== undefined && hash !== existing.hash)
        return fail('hash_conflict');
      const id = knownId ?? nextViewId();
      const view = buildView({ type: 'home', ...args.view }, id, args.view.external_id);
      homeViewIds.set(userId, id);
      views.set(id, view);
      return { ok: true, view };
    },

    'users.info': (args) => {
      const user = users.get(str(args.user) ?? '');
      return user === undefined ? fail('user_not_found') : { ok: true, user: userObject(user) };
    },

    'users.lookupByEmail': (args) => {
      const email = str(args.email)?.toLowerCase();
      const user = [...users.values()].find((u) => email !== undefined && u.email?.toLowerCase() === email);
      return user === undefined ? fail('users_not_found') : { ok: true, user: userObject(user) };
    },

    'conversations.open': (args) => {
      const given = str(args.channel);
      const userIds = (str(args.users) ?? '')
        .split(',')
        .map((u) => u.trim())
        .filter((u) => u !== '');
      if (given === undefined && userIds.length === 0) return fail('users_list_not_supplied');
      const [first] = userIds;
      const id =
        given ??
        (userIds.length === 1 && first !== undefined
          ? dmChannelFor(first)
          : `G${[...userIds]
              .sort()
              .map((u) => u.slice(1))
              .join('')
              .slice(0, 10)}`);
      const alreadyOpen = openedDms.has(id);
      openedDms.add(id);
      return { ok: true, no_op: alreadyOpen, already_open: alreadyOpen, channel: { id } };
    },

    'conversations.history': (args) => {
      const channel = str(args.channel);
      if (channel === undefined || /^[UW]/.test(channel)) return fail('channel_not_found');
      const topLevel = storedIn(channel).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
      return page(topLevel.reverse(), args);
    },

    'conversations.replies': (args) => {
      const channel = str(args.channel);
      const ts = str(args.ts);
      if (channel === undefined) return fail('channel_not_found');
      if (ts === undefined || !messages.has(messageKey(channel, ts))) return fail('thread_not_found');
      return page(
        storedIn(channel).filter((m) => m.ts === ts || m.thread_ts === ts),
        args,
      );
    },
  };

  /** A conversation's messages, oldest first. */
  function storedIn(channel: string): Result[] {
    return [...messages.entries()]
      .filter(([key]) => key.startsWith(`${channel}/`))
      .map(([, m]) => m)
      .sort((a, b) => Number(a.ts) - Number(b.ts));
  }

  /** One page of messages between `oldest` and `latest`, metadata only when asked for. */
  function page(list: Result[], args: Args): Result {
    const inclusive = args.inclusive === true || args.inclusive === 'true';
    const oldest = Number(args.oldest ?? 0);
    const latest = args.latest === undefined ? Number.POSITIVE_INFINITY : Number(args.latest);
    const within = list.filter((m) => {
      const ts = Number(m.ts);
      return inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest;
    });
    const limit = Math.min(Number(args.limit) || MAX_PAGE, MAX_PAGE);
    const offset = Number(/^offset:(\d+)$/.exec(str(args.cursor) ?? '')?.[1] ?? 0);
    const more = offset + limit < within.length;
    const metadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
    return {
      ok: true,
      messages: within
        .slice(offset, offset + limit)
        .map((m) => (metadata ? m : compact({ ...m, metadata: undefined }))),
      has_more: more,
      response_metadata: { next_cursor: more ? `offset:${offset + limit}` : '' },
    };
  }

  const takeFault = (method: string): SlackFault | undefined => {
    const queue = faults.get(method);
    const fault = queue?.shift();
    if (queue !== undefined && queue.length === 0) faults.delete(method);
    return fault;
  };

  const notify = (): void => {
    for (const check of [...waiters]) check();
  };

  const record = (call: SlackCall): void => {
    calls.push(call);
    notify();
  };

  /** A random fault for this call, when chaos is on. */
  const chaosFault = (method: string): SlackFault | undefined => {
    if (chaos === null || method === 'auth.test') return undefined;
    const { options, random } = chaos;
    if (options.methods && !options.methods.includes(method)) return undefined;
    let roll = random();
    for (const [rate, fault] of [
      [options.rateLimited, { status: 429, retryAfter: options.retryAfter ?? 1 }],
      [options.serverError, { status: 500 }],
      [options.reset, { drop: 'before' }],
      [options.acceptThenDrop, { drop: 'after' }],
    ] as Array<[number | undefined, SlackFault]>) {
      roll -= rate ?? 0;
      if (roll < 0) return fault;
    }
    return undefined;
  };

  const handleApi = (req: IncomingMessage, res: ServerResponse, url: URL, raw: string): void => {
    const method = decodeURIComponent(url.pathname.slice('/api/'.length));
    const { args, token } = parseApiRequest(req, url, raw);
    const call: SlackCall = { method, args, token, at: Date.now() };
    const fault = takeFault(method) ?? chaosFault(method);
    const answer = () => handlers[method]?.(args) ?? fail('unknown_method');
    if (fault === undefined) {
      const response = answer();
      record({ ...call, response });
      sendJson(res, 200, response);
    } else if ('drop' in fault) {
      if (fault.drop === 'before') record({ ...call, fault: 0, dropped: 'before' });
      else record({ ...call, response: answer(), dropped: 'after' });
      res.socket?.destroy();
    } else if ('error' in fault) {
      const response = fail(fault.error);
      record({ ...call, fault: 200, response });
      sendJson(res, 200, response);
    } else if (fault.status === 429) {
      const response = fail('ratelimited');
      record({ ...call, fault: 429, response });
      sendJson(res, 429, response, { 'retry-after': String(fault.retryAfter) });
    } else {
      record({ ...call, fault: 500 });
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal Server Error');
    }
  };

  const handleResponseUrl = (res: ServerResponse, url: URL, raw: string): void => {
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // Not JSON: record the raw text.
    }
    responses.push({ path: url.pathname, body });
    notify();
    sendJson(res, 200, { ok: true });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    if (url.pathname.startsWith('/api/')) {
      handleApi(req, res, url, raw);
    } else if (url.pathname.startsWith('/response/') && req.method === 'POST') {
      handleResponseUrl(res, url, raw);
    } else {
      sendJson(res, 404, fail('not_found'));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 400, fail(`fake_slack_error: ${String(error)}`));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const waitUntil = <T>(
    select: () => T[],
    count: number,
    timeoutMs: number,
    explain: () => string,
  ): Promise<T[]> =>
    new Promise<T[]>((resolve, reject) => {
      const check = (): void => {
        const found = select();
        if (found.length < count) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`fake Slack: timed out after ${timeoutMs} ms ${explain()}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  const methodsSeen = (): string => {
    const counts = new Map<string, number>();
    for (const c of calls) {
      const key = c.fault === undefined ? c.method : `${c.method} (fault ${c.fault})`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts.size === 0 ? '(none)' : [...counts].map(([method, n]) => `${method} ×${n}`).join(', ');
  };

  const callsTo = (method: string): SlackCall[] =>
    calls.filter((c) => c.method === method && c.fault === undefined);

  users.set(botUserId, { id: botUserId, realName: 'AR Bridge', isBot: true });

  return {
    url: `${origin}/api/`,
    teamId,
    botUserId,
    calls,
    responses,
    views,
    callsTo,

    waitFor(method, predicate = () => true, waitOpts = {}) {
      const count = waitOpts.count ?? 1;
      const timeoutMs = waitOpts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      return waitUntil(
        () => callsTo(method).filter(predicate),
        count,
        timeoutMs,
        () =>
          `waiting for ${count} successful ${method} call(s) matching the predicate; ` +
          `got ${callsTo(method).filter(predicate).length} matching of ${callsTo(method).length}. ` +
          `Methods seen so far: ${methodsSeen()}`,
      );
    },

    failNext(method, fault, times = 1) {
      const queue = faults.get(method) ?? [];
      for (let i = 0; i < times; i += 1) queue.push(fault);
      faults.set(method, queue);
    },

    addUser(u) {
      const tz = u.tz ?? DEFAULT_TZ;
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
      } catch {
        throw new Error(`fake Slack: addUser(${u.id}): unknown time zone '${tz}'`);
      }
      users.set(u.id, { ...u });
    },

    responseUrl() {
      responseCounter += 1;
      return `${origin}/response/${responseCounter}`;
    },

    waitForResponse(predicate = () => true, waitOpts = {}) {
      const count = waitOpts.count ?? 1;
      const timeoutMs = waitOpts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      return waitUntil(
        () => responses.filter(predicate),
        count,
        timeoutMs,
        () =>
          `waiting for ${count} response_url POST(s) matching the predicate; ` +
          `got ${responses.filter(predicate).length} of ${responses.length}. ` +
          `Methods seen so far: ${methodsSeen()}`,
      );
    },

    handle(method, handler) {
      handlers[method] = handler;
    },

    chaos(options) {
      chaos = options === null ? null : { options, random: seededRandom(options.seed) };
    },

    messages() {
      return [...messages.entries()]
        .map(([key, m]) => ({ ...m, channel: key.slice(0, key.indexOf('/')), ts: String(m.ts) }))
        .sort((a, b) => Number(a.ts) - Number(b.ts));
    },

    reset() {
      calls.length = 0;
      responses.length = 0;
      faults.clear();
      chaos = null;
    },

    async close() {
      const closed = new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      });
      server.closeAllConnections();
      await closed;
    },
  };
}
