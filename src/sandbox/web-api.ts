/**
 * A Slack workspace in memory, answering the Web API methods AR Bridge calls with the shapes and
 * the rules Slack documents: message metadata returned by conversations.history and .replies only
 * with `include_all_metadata`, pages of at most 15; trigger ids that work once, for 3 seconds;
 * views.update refused on a stale `hash`; no more than 3 modals stacked; Block Kit limits
 * (./block-kit.ts); users with their time zone and admin flags. The sandbox serves it to the real
 * bot, and the tests' fake Slack (test/support/fake-slack.ts) wraps it with recording and faults,
 * so both hold the app to the same rules.
 */
import type { IncomingMessage } from 'node:http';
import { blocksProblems, viewProblems } from './block-kit.ts';

export type Args = Record<string, unknown>;
export type Result = Record<string, unknown>;
export type Handler = (args: Args) => Result;

export interface WorkspaceUser {
  id: string;
  email?: string;
  /** IANA time zone; defaults to 'America/Los_Angeles'. */
  tz?: string;
  realName?: string;
  title?: string;
  isBot?: boolean;
  isAdmin?: boolean;
  isOwner?: boolean;
  deleted?: boolean;
}

export interface StoredMessage extends Record<string, unknown> {
  channel: string;
  ts: string;
}

export interface Ephemeral {
  channel: string;
  user: string;
  ts: string;
  text: string;
  blocks?: unknown;
  thread_ts?: string;
}

export interface WorkspaceOptions {
  teamId?: string;
  teamName?: string;
  /** The workspace's subdomain: https://<domain>.slack.com/ */
  domain?: string;
  botUserId?: string;
  /** Refuse trigger ids the workspace did not issue (the sandbox); the tests' fake accepts any once. */
  strictTriggers?: boolean;
}

/** Everything a workspace holds, as JSON (the sandbox keeps it across restarts). */
export interface WorkspaceSnapshot {
  users: WorkspaceUser[];
  messages: StoredMessage[];
  ephemerals: Ephemeral[];
  views: Array<Record<string, unknown>>;
  homes: Array<[string, string]>;
  stacks: Array<[string, string[]]>;
  counters: { view: number; hash: number; ts: number };
}

export const BOT_ID = 'B0BOT';
export const APP_ID = 'A0APP';
const DEFAULT_TZ = 'America/Los_Angeles';
/** Fields @slack/web-api sends as JSON strings inside a form body. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'unfurls', 'user_auth_blocks']);
/** conversations.history and .replies: the most messages per page (Slack's limit outside its Marketplace). */
export const MAX_PAGE = 15;
/** A trigger id works for this long after the interaction that issued it. */
export const TRIGGER_TTL_MS = 3_000;
/** Slack stacks at most this many modals. */
export const MAX_STACK = 3;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function fail(error: string, messages?: string[]): Result {
  return messages && messages.length > 0
    ? { ok: false, error, response_metadata: { messages } }
    : { ok: false, error };
}

/** Query string, then form or JSON body; JSON-string fields decoded; token split out. */
export function parseApiRequest(
  req: IncomingMessage,
  url: URL,
  raw: string,
): { args: Args; token: string | null } {
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
      // Not JSON: kept as sent.
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

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The stable DM channel id for a user: 'D' + the user id's tail. */
export function dmChannelFor(userId: string): string {
  return `D${userId.slice(1)}`;
}

/** Slack accepts a user id as `channel` for chat methods and answers with the DM channel. */
export function resolveChannel(channel: string): string {
  return /^[UW]/.test(channel) ? dmChannelFor(channel) : channel;
}

const isTrue = (v: unknown) => v === true || v === 'true' || v === '1';

export type Workspace = ReturnType<typeof createWorkspace>;

export function createWorkspace(opts: WorkspaceOptions = {}) {
  const teamId = opts.teamId ?? 'T0TEAM';
  const teamName = opts.teamName ?? 'Fake Team';
  const domain = opts.domain ?? 'fake';
  const botUserId = opts.botUserId ?? 'U0BOT';
  const users = new Map<string, WorkspaceUser>();
  const messages = new Map<string, StoredMessage>();
  const ephemerals: Ephemeral[] = [];
  const views = new Map<string, Record<string, unknown>>();
  const homeViewIds = new Map<string, string>();
  /** Each person's open modals, bottom first. */
  const stacks = new Map<string, string[]>();
  const triggers = new Map<string, { userId: string | null; viewId: string | null; at: number }>();
  const usedTriggers = new Set<string>();
  const openedDms = new Set<string>();
  /** Channels the bot is a member of (joined, or invited to a private one); private channel ids start with G. */
  const botChannels = new Set<string>();
  /** User groups (subteams), by id: their members. */
  const usergroups = new Map<string, string[]>();
  const listeners = new Set<() => void>();
  const counters = { view: 0, hash: 0, ts: 0 };

  const changed = (): void => {
    for (const listener of [...listeners]) listener();
  };
  /** The wall clock in microseconds, at least 100 µs after the previous ts. */
  const nextTs = (): string => {
    const micros = Math.max(Date.now() * 1000, counters.ts + 100);
    counters.ts = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  };
  const nextViewId = (): string => `V${String(++counters.view).padStart(10, '0')}`;
  const nextHash = (): string => `1764000000.${String(++counters.hash).padStart(8, '0')}`;
  const key = (channel: string, ts: string): string => `${channel}/${ts}`;

  const userObject = (u: WorkspaceUser): Result => {
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
      is_admin: u.isAdmin ?? false,
      is_owner: u.isOwner ?? false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: u.isBot ?? false,
      is_app_user: false,
      updated: 1764000000,
      profile: compact({
        email: u.email,
        title: u.title ?? '',
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

  /** Spends a trigger id: the error Slack gives, or who it was issued to. */
  const spendTrigger = (
    triggerId: string | undefined,
  ): { error: string } | { userId: string | null; viewId: string | null } => {
    if (triggerId === undefined) return { error: 'invalid_arguments' };
    if (usedTriggers.has(triggerId)) return { error: 'exchanged_trigger_id' };
    const issued = triggers.get(triggerId);
    if (issued === undefined && opts.strictTriggers) return { error: 'invalid_trigger_id' };
    usedTriggers.add(triggerId);
    triggers.delete(triggerId);
    if (issued && Date.now() - issued.at > TRIGGER_TTL_MS) return { error: 'expired_trigger_id' };
    return { userId: issued?.userId ?? null, viewId: issued?.viewId ?? null };
  };

  const stackOf = (userId: string): string[] => stacks.get(userId) ?? [];

  /** Opens a view as the bottom of a person's stack (or on top of it), as Slack shows it. */
  const placeView = (userId: string | null, input: Args, mode: 'open' | 'push'): Result => {
    const problems = viewProblems(input);
    if (problems.length > 0) return fail('invalid_arguments', problems);
    const stack = userId === null ? [] : stackOf(userId);
    if (mode === 'push' && stack.length >= MAX_STACK) return fail('push_limit_reached');
    const id = nextViewId();
    const view = buildView(input, id, input.external_id);
    const below = mode === 'push' ? stack.at(-1) : undefined;
    if (below !== undefined) {
      view.previous_view_id = below;
      view.root_view_id = views.get(below)?.root_view_id ?? below;
    }
    views.set(id, view);
    if (userId !== null) stacks.set(userId, mode === 'push' ? [...stack, id] : [id]);
    changed();
    return { ok: true, view };
  };

  const openView =
    (mode: 'open' | 'push') =>
    (args: Args): Result => {
      if (!isRecord(args.view)) return fail('invalid_arguments');
      const spent = spendTrigger(str(args.trigger_id));
      if ('error' in spent) return fail(spent.error);
      return placeView(spent.userId, args.view, mode);
    };

  const replaceView = (existing: Record<string, unknown>, input: Args): Result => {
    const problems = viewProblems({ type: existing.type, ...input });
    if (problems.length > 0) return fail('invalid_arguments', problems);
    const id = String(existing.id);
    const view: Record<string, unknown> = {
      ...buildView({ type: existing.type, ...input }, id, input.external_id ?? existing.external_id),
      root_view_id: existing.root_view_id,
      previous_view_id: existing.previous_view_id,
    };
    views.set(id, view);
    changed();
    return { ok: true, view };
  };

  const storedIn = (channel: string): StoredMessage[] =>
    [...messages.values()].filter((m) => m.channel === channel).sort((a, b) => Number(a.ts) - Number(b.ts));

  /** One page of messages between `oldest` and `latest`, metadata only when asked for. */
  const page = (list: StoredMessage[], args: Args): Result => {
    const inclusive = isTrue(args.inclusive);
    const oldest = Number(args.oldest ?? 0);
    const latest = args.latest === undefined ? Number.POSITIVE_INFINITY : Number(args.latest);
    const within = list.filter((m) => {
      const ts = Number(m.ts);
      return inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest;
    });
    const limit = Math.min(Number(args.limit) || MAX_PAGE, MAX_PAGE);
    const offset = Number(/^offset:(\d+)$/.exec(str(args.cursor) ?? '')?.[1] ?? 0);
    const more = offset + limit < within.length;
    const metadata = isTrue(args.include_all_metadata);
    return {
      ok: true,
      messages: within
        .slice(offset, offset + limit)
        .map(({ channel: _, ...m }) => (metadata ? m : compact({ ...m, metadata: undefined }))),
      has_more: more,
      response_metadata: { next_cursor: more ? `offset:${offset + limit}` : '' },
    };
  };

  const messageText = (args: Args): string | undefined => {
    if (typeof args.text === 'string') return args.text;
    return undefined;
  };

  const handlers: Record<string, Handler> = {
    'auth.test': () => ({
      ok: true,
      url: `https://${domain}.slack.com/`,
      team: teamName,
      user: 'arbridge',
      team_id: teamId,
      user_id: botUserId,
      bot_id: BOT_ID,
      is_enterprise_install: false,
    }),

    'chat.postMessage': (args) => {
      const target = str(args.channel);
      if (target === undefined) return fail('channel_not_found');
      if (messageText(args) === undefined && args.blocks === undefined && args.attachments === undefined)
        return fail('no_text');
      const problems = blocksProblems('message', args.blocks);
      if (problems.length > 0) return fail('invalid_blocks', problems);
      const channel = resolveChannel(target);
      const ts = nextTs();
      const message: StoredMessage = compact({
        type: 'message',
        channel,
        text: messageText(args) ?? '',
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
      messages.set(key(channel, ts), message);
      changed();
      const { channel: _, ...shown } = message;
      return { ok: true, channel, ts, message: shown };
    },

    'chat.update': (args) => {
      const target = str(args.channel);
      const ts = str(args.ts);
      if (target === undefined) return fail('channel_not_found');
      const channel = resolveChannel(target);
      const existing = ts === undefined ? undefined : messages.get(key(channel, ts));
      if (ts === undefined || existing === undefined) return fail('message_not_found');
      const problems = blocksProblems('message', args.blocks);
      if (problems.length > 0) return fail('invalid_blocks', problems);
      const message: StoredMessage = compact({
        ...existing,
        text: messageText(args) ?? existing.text,
        blocks: args.blocks ?? existing.blocks,
        attachments: args.attachments ?? existing.attachments,
        metadata: args.metadata ?? existing.metadata,
        edited: { user: botUserId, ts: nextTs() },
      });
      messages.set(key(channel, ts), message);
      changed();
      const { channel: _, ...shown } = message;
      return { ok: true, channel, ts, text: message.text, message: shown };
    },

    'chat.postEphemeral': (args) => {
      const channel = str(args.channel);
      const user = str(args.user);
      if (channel === undefined) return fail('channel_not_found');
      if (user === undefined) return fail('user_not_found');
      const problems = blocksProblems('message', args.blocks);
      if (problems.length > 0) return fail('invalid_blocks', problems);
      const ts = nextTs();
      ephemerals.push(
        compact({
          channel: resolveChannel(channel),
          user,
          ts,
          text: messageText(args) ?? '',
          blocks: args.blocks,
          thread_ts: str(args.thread_ts),
        }),
      );
      changed();
      return { ok: true, message_ts: ts };
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
        permalink: `https://${domain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`,
      };
    },

    'views.open': openView('open'),
    'views.push': openView('push'),

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
      return replaceView(existing, args.view);
    },

    'views.publish': (args) => {
      const userId = str(args.user_id);
      if (userId === undefined || !isRecord(args.view)) return fail('invalid_arguments');
      const input: Args = { ...args.view, type: 'home' };
      const problems = viewProblems(input);
      if (problems.length > 0) return fail('invalid_arguments', problems);
      const knownId = homeViewIds.get(userId);
      const existing = knownId === undefined ? undefined : views.get(knownId);
      const hash = str(args.hash);
      if (hash !== undefined && existing !== undefined && hash !== existing.hash)
        return fail('hash_conflict');
      const id = knownId ?? nextViewId();
      const view = buildView(input, id, input.external_id);
      homeViewIds.set(userId, id);
      views.set(id, view);
      changed();
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
      if (ts === undefined || !messages.has(key(channel, ts))) return fail('thread_not_found');
      return page(
        storedIn(channel).filter((m) => m.ts === ts || m.thread_ts === ts),
        args,
      );
    },

    'conversations.info': (args) => {
      const channel = str(args.channel);
      if (channel === undefined || !/^[CG][A-Z0-9]{2,}$/.test(channel)) return fail('channel_not_found');
      const isPrivate = channel.startsWith('G');
      if (isPrivate && !botChannels.has(channel)) return fail('channel_not_found');
      return {
        ok: true,
        channel: {
          id: channel,
          is_channel: !isPrivate,
          is_private: isPrivate,
          is_member: botChannels.has(channel),
        },
      };
    },

    'conversations.join': (args) => {
      const channel = str(args.channel);
      if (channel === undefined || !/^[CG][A-Z0-9]{2,}$/.test(channel)) return fail('channel_not_found');
      if (channel.startsWith('G')) return fail('method_not_supported_for_channel_type');
      botChannels.add(channel);
      return { ok: true, channel: { id: channel, is_channel: true, is_private: false, is_member: true } };
    },

    'usergroups.users.list': (args) => {
      const members = usergroups.get(str(args.usergroup) ?? '');
      return members === undefined ? fail('no_such_subteam') : { ok: true, users: [...members] };
    },

    'oauth.v2.access': (args) => {
      if (str(args.client_id) === undefined || str(args.code) === undefined) return fail('invalid_code');
      return {
        ok: true,
        access_token: `xoxb-${teamId.toLowerCase()}-sandbox`,
        token_type: 'bot',
        scope:
          'chat:write,commands,users:read,users:read.email,channels:history,groups:history,im:write,im:history,files:write',
        bot_user_id: botUserId,
        app_id: APP_ID,
        team: { id: teamId, name: teamName },
        enterprise: null,
        is_enterprise_install: false,
        authed_user: { id: [...users.values()].find((u) => u.isAdmin)?.id ?? botUserId },
      };
    },
  };

  users.set(botUserId, { id: botUserId, realName: 'AR Bridge', isBot: true });

  return {
    teamId,
    teamName,
    botUserId,
    handlers,
    users,
    views,
    /** Answers one Web API call. */
    call(method: string, args: Args): Result {
      return handlers[method]?.(args) ?? fail('unknown_method');
    },
    /** Called after anything a person could see changed. */
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    addUser(u: WorkspaceUser): void {
      const tz = u.tz ?? DEFAULT_TZ;
      if (!isTimeZone(tz)) throw new Error(`addUser(${u.id}): unknown time zone '${tz}'`);
      users.set(u.id, { ...u });
      changed();
    },
    /** A user group (subteam) and its members; replaces one with the same id. */
    addUsergroup(id: string, members: readonly string[]): void {
      usergroups.set(id, [...members]);
    },
    /** The bot was invited to this channel (a private one, id G…, is only reachable so). */
    inviteBot(channel: string): void {
      botChannels.add(channel);
    },
    /** Whether the bot is a member of this channel. */
    botIn(channel: string): boolean {
      return botChannels.has(channel);
    },
    /** A trigger id for an interaction by `userId` (inside view `viewId`): one use, 3 seconds. */
    issueTrigger(userId: string, viewId: string | null = null): string {
      const id = `${Date.now()}.${String(++counters.hash).padStart(6, '0')}.${Math.random().toString(16).slice(2, 10)}`;
      triggers.set(id, { userId, viewId, at: Date.now() });
      return id;
    },
    /** Every message in every conversation, as stored (metadata included), oldest first. */
    messages(): StoredMessage[] {
      return [...messages.values()].sort((a, b) => Number(a.ts) - Number(b.ts));
    },
    getMessage(channel: string, ts: string): StoredMessage | undefined {
      return messages.get(key(channel, ts));
    },
    /** A message a person writes (the message box, a thread reply). */
    postAsUser(userId: string, channel: string, text: string, threadTs?: string): StoredMessage {
      const ts = nextTs();
      const message: StoredMessage = compact({
        type: 'message',
        channel,
        user: userId,
        text,
        team: teamId,
        ts,
        thread_ts: threadTs,
      });
      messages.set(key(channel, ts), message);
      changed();
      return message;
    },
    /** A reply through a response_url: a new message, or the original one replaced or deleted. */
    replaceMessage(channel: string, ts: string, patch: { text?: unknown; blocks?: unknown } | null): boolean {
      const existing = messages.get(key(channel, ts));
      if (!existing) return false;
      if (patch === null) messages.delete(key(channel, ts));
      else
        messages.set(
          key(channel, ts),
          compact({
            ...existing,
            text: str(patch.text) ?? '',
            blocks: patch.blocks,
            edited: { ts: nextTs() },
          }),
        );
      changed();
      return true;
    },
    postAsBot(channel: string, text: string, blocks: unknown, threadTs?: string): StoredMessage {
      const ts = nextTs();
      const message: StoredMessage = compact({
        type: 'message',
        channel,
        text,
        blocks,
        user: botUserId,
        bot_id: BOT_ID,
        team: teamId,
        ts,
        thread_ts: threadTs,
      });
      messages.set(key(channel, ts), message);
      changed();
      return message;
    },
    ephemerals,
    /** Adds, replaces (same ts) or removes (null) an ephemeral message. */
    setEphemeral(e: Ephemeral, remove = false): void {
      const at = ephemerals.findIndex((x) => x.ts === e.ts && x.user === e.user);
      if (remove) {
        if (at >= 0) ephemerals.splice(at, 1);
      } else if (at >= 0) ephemerals[at] = e;
      else ephemerals.push(e);
      changed();
    },
    nextTs,
    homeViewOf(userId: string): Record<string, unknown> | undefined {
      const id = homeViewIds.get(userId);
      return id === undefined ? undefined : views.get(id);
    },
    /** A person's open modals, bottom first. */
    stackOf(userId: string): Array<Record<string, unknown>> {
      return stackOf(userId).flatMap((id) => {
        const view = views.get(id);
        return view ? [view] : [];
      });
    },
    /** What a view_submission's `response_action` does to the stack. */
    respondToSubmission(
      userId: string,
      action: { response_action?: unknown; view?: unknown } | undefined,
    ): Result {
      const stack = stackOf(userId);
      const top = stack.at(-1);
      const kind = action?.response_action;
      if ((kind === 'update' || kind === 'push') && isRecord(action?.view)) {
        if (kind === 'push') {
          const pushed = placeView(userId, action.view, 'push');
          return pushed;
        }
        const existing = top === undefined ? undefined : views.get(top);
        return existing ? replaceView(existing, action.view) : fail('not_found');
      }
      if (kind === 'clear') stacks.delete(userId);
      else if (kind !== 'errors') stacks.set(userId, stack.slice(0, -1));
      changed();
      return { ok: true };
    },
    /** The person closed the top modal (the X or Cancel). */
    closeView(userId: string): void {
      stacks.set(userId, stackOf(userId).slice(0, -1));
      changed();
    },
    snapshot(): WorkspaceSnapshot {
      return {
        users: [...users.values()],
        messages: [...messages.values()],
        ephemerals: [...ephemerals],
        views: [...views.values()],
        homes: [...homeViewIds],
        stacks: [],
        counters: { ...counters },
      };
    },
    restore(s: WorkspaceSnapshot): void {
      for (const u of s.users) users.set(u.id, u);
      for (const m of s.messages) messages.set(key(m.channel, m.ts), m);
      ephemerals.push(...s.ephemerals);
      for (const v of s.views) views.set(String(v.id), v);
      for (const [user, id] of s.homes) homeViewIds.set(user, id);
      Object.assign(counters, s.counters);
      changed();
    },
  };
}
