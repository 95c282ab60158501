/**
 * Correctly signed Slack requests (slash commands, interactions, events) sent over real HTTP to the
 * app's Bolt HTTPReceiver at `${baseUrl}/slack/events`, plus signed requests for AR Bridge's own
 * webhooks. Payload shapes follow what Slack sends; defaults match the workspace of ./web-api.ts
 * (team 'T0TEAM', bot user 'U0BOT'). The sandbox sends these to the bot, and so do the tests.
 */
import { createHmac } from 'node:crypto';

export interface SlackTarget {
  /** e.g. 'http://127.0.0.1:PORT' */
  baseUrl: string;
  signingSecret: string;
}

export interface SendOptions {
  retryNum?: number;
  retryReason?: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Sign with the wrong secret. */
  badSignature?: boolean;
}

export interface SlackResponse {
  status: number;
  text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown | undefined;
  headers: Headers;
}

export interface SlashCommand {
  command: string;
  text?: string;
  userId: string;
  teamId?: string;
  channelId?: string;
  triggerId?: string;
  responseUrl?: string;
}

export interface BlockActionItem {
  action_id: string;
  block_id?: string;
  value?: string;
  type?: string;
  selected_option?: unknown;
  selected_user?: string;
  [key: string]: unknown;
}

export interface BlockActionsPayload {
  userId: string;
  teamId?: string;
  actions: BlockActionItem[];
  triggerId?: string;
  responseUrl?: string;
  container?: Record<string, unknown>;
  channelId?: string;
  message?: unknown;
  view?: unknown;
  /** The values of the message's inputs (a view's are in `view.state`). */
  state?: { values: Record<string, Record<string, unknown>> };
}

export interface ViewSubmissionPayload {
  userId: string;
  teamId?: string;
  view: {
    id?: string;
    hash?: string;
    callback_id: string;
    private_metadata?: string;
    state: { values: Record<string, Record<string, unknown>> };
    [key: string]: unknown;
  };
  triggerId?: string;
}

export interface BlockSuggestionPayload {
  userId: string;
  teamId?: string;
  actionId: string;
  blockId?: string;
  value: string;
  view?: unknown;
}

export interface EventPayload {
  teamId?: string;
  eventId?: string;
  event: Record<string, unknown>;
}

const DEFAULT_TEAM_ID = 'T0TEAM';
const TEAM_DOMAIN = 'fake';
const API_APP_ID = 'A0APP';
const BOT_USER_ID = 'U0BOT';
const VERIFICATION_TOKEN = 'fake-verification-token';
/** Loopback discard port: a forgotten `responseUrl` fails fast instead of reaching the internet. */
const UNSET_RESPONSE_URL = 'http://127.0.0.1:9/response/unset';

let sequence = 0;
function nextId(): number {
  sequence += 1;
  return sequence;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A Slack-style `ts` for "now", e.g. '1764000000.123456'. */
function nowTs(): string {
  const micros = Date.now() * 1000 + (nextId() % 1000);
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

function triggerId(): string {
  return `${nowSeconds()}.${nextId()}.faketrigger0000`;
}

function userName(userId: string): string {
  return `user_${userId.toLowerCase()}`;
}

/** The `X-Slack-Signature` value: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>`. */
export function slackSignature(secret: string, timestamp: number, body: string | Buffer): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

/** Headers for AR Bridge's own signed webhooks: HMAC-SHA256 of `${ts}.${rawBody}`. */
export function signWebhook(
  secret: string,
  rawBody: string,
  timestamp: number = nowSeconds(),
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-arbridge-timestamp': String(timestamp),
    'x-arbridge-signature': `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`,
  };
}

/** Any body, signed as Slack signs it, to `/slack/events`. */
export async function sendSigned(
  t: SlackTarget,
  body: string | Buffer,
  contentType: string,
  o: SendOptions = {},
): Promise<SlackResponse> {
  const timestamp = o.timestamp ?? nowSeconds();
  const secret = o.badSignature ? `${t.signingSecret}-wrong` : t.signingSecret;
  // Bolt compares the content type exactly, so no charset parameter.
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(secret, timestamp, body),
  };
  if (o.retryNum !== undefined) headers['x-slack-retry-num'] = String(o.retryNum);
  if (o.retryReason !== undefined) headers['x-slack-retry-reason'] = o.retryReason;
  const res = await fetch(`${t.baseUrl}/slack/events`, { method: 'POST', headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

function sendPayload(
  t: SlackTarget,
  payload: Record<string, unknown>,
  o?: SendOptions,
): Promise<SlackResponse> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return sendSigned(t, body, 'application/x-www-form-urlencoded', o);
}

function userAndTeam(userId: string, teamId: string): Record<string, unknown> {
  return {
    user: { id: userId, username: userName(userId), name: userName(userId), team_id: teamId },
    team: { id: teamId, domain: TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
  };
}

function viewId(view: unknown): string | undefined {
  if (typeof view !== 'object' || view === null || !('id' in view)) return undefined;
  return typeof view.id === 'string' ? view.id : undefined;
}

export function sendSlashCommand(t: SlackTarget, cmd: SlashCommand, o?: SendOptions): Promise<SlackResponse> {
  const channelId = cmd.channelId ?? 'C0GENERAL';
  const body = new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: cmd.teamId ?? DEFAULT_TEAM_ID,
    team_domain: TEAM_DOMAIN,
    channel_id: channelId,
    channel_name: channelId.startsWith('D') ? 'directmessage' : 'general',
    user_id: cmd.userId,
    user_name: userName(cmd.userId),
    command: cmd.command,
    text: cmd.text ?? '',
    api_app_id: API_APP_ID,
    is_enterprise_install: 'false',
    response_url: cmd.responseUrl ?? UNSET_RESPONSE_URL,
    trigger_id: cmd.triggerId ?? triggerId(),
  }).toString();
  return sendSigned(t, body, 'application/x-www-form-urlencoded', o);
}

export function sendBlockActions(
  t: SlackTarget,
  p: BlockActionsPayload,
  o?: SendOptions,
): Promise<SlackResponse> {
  const teamId = p.teamId ?? DEFAULT_TEAM_ID;
  const messageTs =
    typeof p.message === 'object' &&
    p.message !== null &&
    'ts' in p.message &&
    typeof p.message.ts === 'string'
      ? p.message.ts
      : undefined;
  const container =
    p.container ??
    (p.view !== undefined
      ? { type: 'view', view_id: viewId(p.view) }
      : { type: 'message', message_ts: messageTs, channel_id: p.channelId, is_ephemeral: false });
  const actionTs = nowTs();
  const payload: Record<string, unknown> = {
    type: 'block_actions',
    ...userAndTeam(p.userId, teamId),
    container,
    trigger_id: p.triggerId ?? triggerId(),
    channel: p.channelId === undefined ? undefined : { id: p.channelId, name: 'general' },
    message: p.message,
    view: p.view,
    state: p.state ?? { values: {} },
    // Slack gives a response_url for message interactions, not for ones inside a view.
    response_url: p.responseUrl ?? (p.view === undefined ? UNSET_RESPONSE_URL : undefined),
    actions: p.actions.map((a) => ({
      type: 'button',
      block_id: `block_${a.action_id}`,
      ...a,
      action_ts: actionTs,
    })),
  };
  return sendPayload(t, payload, o);
}

export function sendViewSubmission(
  t: SlackTarget,
  p: ViewSubmissionPayload,
  o?: SendOptions,
): Promise<SlackResponse> {
  const teamId = p.teamId ?? DEFAULT_TEAM_ID;
  const id = p.view.id ?? `V${String(nextId()).padStart(10, '0')}`;
  const view = {
    id,
    team_id: teamId,
    type: 'modal',
    blocks: [],
    private_metadata: '',
    title: { type: 'plain_text', text: 'AR Bridge' },
    close: null,
    submit: { type: 'plain_text', text: 'Submit' },
    clear_on_close: false,
    notify_on_close: false,
    previous_view_id: null,
    root_view_id: id,
    app_id: API_APP_ID,
    external_id: '',
    app_installed_team_id: teamId,
    bot_id: 'B0BOT',
    hash: `${nowSeconds()}.fakehash${nextId()}`,
    ...p.view,
  };
  const payload = {
    type: 'view_submission',
    ...userAndTeam(p.userId, teamId),
    trigger_id: p.triggerId ?? triggerId(),
    view,
    response_urls: [],
  };
  return sendPayload(t, payload, o);
}

export function sendBlockSuggestion(
  t: SlackTarget,
  p: BlockSuggestionPayload,
  o?: SendOptions,
): Promise<SlackResponse> {
  const teamId = p.teamId ?? DEFAULT_TEAM_ID;
  const payload = {
    type: 'block_suggestion',
    ...userAndTeam(p.userId, teamId),
    container: p.view === undefined ? { type: 'message' } : { type: 'view', view_id: viewId(p.view) },
    action_id: p.actionId,
    block_id: p.blockId ?? `block_${p.actionId}`,
    value: p.value,
    view: p.view,
  };
  return sendPayload(t, payload, o);
}

export function sendEvent(t: SlackTarget, p: EventPayload, o?: SendOptions): Promise<SlackResponse> {
  const teamId = p.teamId ?? DEFAULT_TEAM_ID;
  const envelope = {
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    api_app_id: API_APP_ID,
    event: { event_ts: nowTs(), ...p.event },
    type: 'event_callback',
    event_id: p.eventId ?? `Ev${String(nextId()).padStart(10, '0')}`,
    event_time: nowSeconds(),
    authorizations: [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: BOT_USER_ID,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  };
  return sendSigned(t, JSON.stringify(envelope), 'application/json', o);
}

export function sendUrlVerification(
  t: SlackTarget,
  challenge: string,
  o?: SendOptions,
): Promise<SlackResponse> {
  const body = JSON.stringify({ token: VERIFICATION_TOKEN, challenge, type: 'url_verification' });
  return sendSigned(t, body, 'application/json', o);
}

/** A message shortcut (`message_action`) on a message in a channel. */
export function sendMessageShortcut(
  t: SlackTarget,
  p: {
    callbackId: string;
    userId: string;
    channelId: string;
    message: { ts: string; text: string; user?: string };
    triggerId?: string;
  },
  o?: SendOptions,
): Promise<SlackResponse> {
  return sendPayload(
    t,
    {
      type: 'message_action',
      ...userAndTeam(p.userId, DEFAULT_TEAM_ID),
      callback_id: p.callbackId,
      trigger_id: p.triggerId ?? triggerId(),
      action_ts: nowTs(),
      message_ts: p.message.ts,
      response_url: UNSET_RESPONSE_URL,
      channel: { id: p.channelId, name: 'general' },
      message: { type: 'message', user: p.message.user ?? p.userId, ...p.message },
    },
    o,
  );
}
