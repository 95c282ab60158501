/**
 * What Slack does when a person acts: it signs a request to the app's /slack/events (a slash
 * command, a click, a submitted modal, a typed search, a message in a thread, the Home tab opened)
 * and then shows what the app answered: the ack's body, a response_url reply, the modal's
 * `response_action`, its inline errors. The sandbox's page calls these; the workspace
 * (./web-api.ts) holds the result.
 */
import { z } from 'zod';
import {
  type SlackResponse,
  type SlackTarget,
  sendBlockActions,
  sendBlockSuggestion,
  sendEvent,
  sendSlashCommand,
  sendViewSubmission,
} from './slack-requests.ts';
import { dmChannelFor, type Ephemeral, isRecord, type Workspace } from './web-api.ts';

/** A response_url works this many times (Slack: 5 times within 30 minutes). */
const RESPONSE_URL_USES = 5;
const RESPONSE_URL_TTL_MS = 30 * 60_000;

/** Where a response_url's "original" message is. */
type Original = { kind: 'ephemeral'; ts: string } | { kind: 'message'; ts: string };

interface ResponseUrl {
  userId: string;
  channel: string;
  threadTs: string | undefined;
  original: Original | undefined;
  uses: number;
  at: number;
}

const messageBody = z.object({
  text: z.string().optional(),
  blocks: z.array(z.unknown()).optional(),
  response_type: z.enum(['ephemeral', 'in_channel']).optional(),
  replace_original: z.union([z.boolean(), z.literal('true'), z.literal('false')]).optional(),
  delete_original: z.union([z.boolean(), z.literal('true'), z.literal('false')]).optional(),
});
type MessageBody = z.output<typeof messageBody>;

const truthy = (v: unknown) => v === true || v === 'true';

export type Values = Record<string, Record<string, unknown>>;

/** Where a clicked element is: a message (or an ephemeral one), an open modal, or the Home tab. */
export type ActionSource =
  | { kind: 'message'; channel: string; ts: string }
  | { kind: 'ephemeral'; channel: string; ts: string }
  | { kind: 'view'; viewId: string };

export interface SlackSideOptions {
  workspace: Workspace;
  bot: SlackTarget;
  /** This server's origin, for response_url addresses. */
  origin: () => string;
}

export type SlackSide = ReturnType<typeof createSlackSide>;

export function createSlackSide({ workspace, bot, origin }: SlackSideOptions) {
  const responseUrls = new Map<string, ResponseUrl>();
  let responseCounter = 0;

  const newResponseUrl = (r: Omit<ResponseUrl, 'uses' | 'at'>): { url: string; id: string } => {
    responseCounter += 1;
    const id = `${Date.now().toString(36)}${responseCounter}`;
    responseUrls.set(id, { ...r, uses: 0, at: Date.now() });
    return { url: `${origin()}/response/${id}`, id };
  };

  const ephemeral = (userId: string, channel: string, body: MessageBody, threadTs?: string): Ephemeral => {
    const e: Ephemeral = { channel, user: userId, ts: workspace.nextTs(), text: body.text ?? '' };
    if (body.blocks) e.blocks = body.blocks;
    if (threadTs) e.thread_ts = threadTs;
    workspace.setEphemeral(e);
    return e;
  };

  /** Shows an app's message reply (an ack body or a response_url POST) the way Slack does. */
  const show = (r: ResponseUrl, body: MessageBody): void => {
    if (truthy(body.delete_original) && r.original) {
      if (r.original.kind === 'message') workspace.replaceMessage(r.channel, r.original.ts, null);
      else workspace.setEphemeral({ channel: r.channel, user: r.userId, ts: r.original.ts, text: '' }, true);
      return;
    }
    if (truthy(body.replace_original) && r.original) {
      if (r.original.kind === 'message') workspace.replaceMessage(r.channel, r.original.ts, body);
      else
        workspace.setEphemeral(
          Object.fromEntries(
            Object.entries({
              channel: r.channel,
              user: r.userId,
              ts: r.original.ts,
              text: body.text ?? '',
              blocks: body.blocks,
              thread_ts: r.threadTs,
            }).filter(([, v]) => v !== undefined),
          ) as unknown as Ephemeral,
        );
      return;
    }
    if (body.response_type === 'in_channel') {
      const m = workspace.postAsBot(r.channel, body.text ?? '', body.blocks, r.threadTs);
      r.original ??= { kind: 'message', ts: m.ts };
    } else {
      const e = ephemeral(r.userId, r.channel, body, r.threadTs);
      r.original ??= { kind: 'ephemeral', ts: e.ts };
    }
  };

  /** Slack's own words when the app does not answer well. */
  const failed = (userId: string, channel: string, what: string, res: SlackResponse): void => {
    ephemeral(userId, channel, {
      text: `${what} failed with the error "${res.status === 0 ? 'dispatch_failed' : `http_${res.status}`}"`,
    });
  };

  const person = (userId: string) => ({ userId, teamId: workspace.teamId });

  return {
    /** A response_url POST from the app. */
    respond(id: string, raw: unknown): { status: number; body: Record<string, unknown> } {
      const r = responseUrls.get(id);
      if (!r || Date.now() - r.at > RESPONSE_URL_TTL_MS)
        return { status: 404, body: { ok: false, error: 'expired_url' } };
      if (r.uses >= RESPONSE_URL_USES) return { status: 404, body: { ok: false, error: 'used_url' } };
      const body = messageBody.safeParse(raw);
      if (
        !body.success ||
        (body.data.text === undefined && body.data.blocks === undefined && !truthy(body.data.delete_original))
      )
        return { status: 400, body: { ok: false, error: 'no_text' } };
      r.uses += 1;
      show(r, body.data);
      return { status: 200, body: { ok: true } };
    },

    /** The message box: a slash command, or a message (in a thread, or not). */
    async send(userId: string, channel: string, text: string, threadTs?: string): Promise<void> {
      const command = /^(\/[a-z0-9_-]+)(?:\s+([\s\S]*))?$/i.exec(text.trim());
      if (command) {
        const [, name = '', rest = ''] = command;
        const r = newResponseUrl({ userId, channel, threadTs: undefined, original: undefined });
        const res = await sendSlashCommand(bot, {
          ...person(userId),
          command: name,
          text: rest.trim(),
          channelId: channel,
          triggerId: workspace.issueTrigger(userId),
          responseUrl: r.url,
        }).catch(() => null);
        if (res?.status !== 200) {
          ephemeral(userId, channel, {
            text: `${name} failed with the error "${res ? `http_${res.status}` : 'dispatch_failed'}"`,
          });
          return;
        }
        const body = messageBody.safeParse(res.json ?? (res.text === '' ? {} : { text: res.text }));
        const state = responseUrls.get(r.id);
        if (state && body.success && (body.data.text !== undefined || body.data.blocks !== undefined))
          show(state, body.data);
        return;
      }
      const message = workspace.postAsUser(userId, channel, text, threadTs);
      // The app subscribes to message.channels and message.groups, not to DMs.
      if (!/^[CG]/.test(channel)) return;
      await sendEvent(bot, {
        teamId: workspace.teamId,
        event: {
          type: 'message',
          channel,
          channel_type: channel.startsWith('G') ? 'group' : 'channel',
          user: userId,
          text,
          ts: message.ts,
          ...(threadTs ? { thread_ts: threadTs } : {}),
        },
      }).catch(() => null);
    },

    /** A click or a choice on an interactive element. */
    async act(
      userId: string,
      source: ActionSource,
      action: Record<string, unknown>,
      values: Values,
    ): Promise<void> {
      if (source.kind === 'view') {
        const stored = workspace.views.get(source.viewId);
        if (!stored) return;
        const view = { ...stored, state: { values } };
        await sendBlockActions(bot, {
          ...person(userId),
          actions: [action as { action_id: string }],
          triggerId: workspace.issueTrigger(userId, source.viewId),
          view,
          container: { type: 'view', view_id: source.viewId },
        }).catch(() => null);
        return;
      }
      const message = source.kind === 'message' ? workspace.getMessage(source.channel, source.ts) : undefined;
      const threadTs = typeof message?.thread_ts === 'string' ? message.thread_ts : undefined;
      const r = newResponseUrl({
        userId,
        channel: source.channel,
        threadTs,
        original: { kind: source.kind, ts: source.ts },
      });
      const shownMessage = message ? (({ channel: _, ...m }) => m)(message) : undefined;
      const res = await sendBlockActions(bot, {
        ...person(userId),
        actions: [action as { action_id: string }],
        triggerId: workspace.issueTrigger(userId),
        channelId: source.channel,
        responseUrl: r.url,
        message: shownMessage,
        state: { values },
        container: {
          type: 'message',
          message_ts: source.ts,
          channel_id: source.channel,
          is_ephemeral: source.kind === 'ephemeral',
        },
      }).catch(() => null);
      if (res?.status !== 200) failed(userId, source.channel, 'That action', res ?? noAnswer);
    },

    /** Submit: the app's response_action decides what the modal does next. */
    async submit(
      userId: string,
      viewId: string,
      values: Values,
    ): Promise<{ errors?: Record<string, string>; problem?: string }> {
      const stored = workspace.views.get(viewId);
      if (!stored) return { problem: 'This modal is no longer open.' };
      const res = await sendViewSubmission(bot, {
        ...person(userId),
        view: { ...stored, callback_id: String(stored.callback_id ?? ''), state: { values } },
        triggerId: workspace.issueTrigger(userId, viewId),
      }).catch(() => null);
      if (res?.status !== 200) return { problem: 'We had some trouble connecting. Try again?' };
      const ack = isRecord(res.json) ? res.json : {};
      if (ack.response_action === 'errors' && isRecord(ack.errors))
        return { errors: Object.fromEntries(Object.entries(ack.errors).map(([k, v]) => [k, String(v)])) };
      const done = workspace.respondToSubmission(userId, ack);
      return done.ok ? {} : { problem: `The app answered with a view Slack refuses: ${String(done.error)}` };
    },

    close(userId: string): void {
      workspace.closeView(userId);
    },

    /** Options for an external_select, loaded from the app as the person types. */
    async suggest(
      userId: string,
      viewId: string | null,
      blockId: string,
      actionId: string,
      value: string,
    ): Promise<unknown[]> {
      const view = viewId === null ? undefined : workspace.views.get(viewId);
      const res = await sendBlockSuggestion(bot, {
        ...person(userId),
        actionId,
        blockId,
        value,
        ...(view ? { view } : {}),
      }).catch(() => null);
      const body = isRecord(res?.json) ? res.json : {};
      if (Array.isArray(body.options)) return body.options;
      if (Array.isArray(body.option_groups))
        return body.option_groups.flatMap((g) => (isRecord(g) && Array.isArray(g.options) ? g.options : []));
      return [];
    },

    /** The person opened the app's Home tab. */
    async openHome(userId: string): Promise<void> {
      const view = workspace.homeViewOf(userId);
      await sendEvent(bot, {
        teamId: workspace.teamId,
        event: {
          type: 'app_home_opened',
          user: userId,
          channel: dmChannelFor(userId),
          tab: 'home',
          ...(view ? { view } : {}),
        },
      }).catch(() => null);
    },
  };
}

const noAnswer: SlackResponse = { status: 0, text: '', json: undefined, headers: new Headers() };
