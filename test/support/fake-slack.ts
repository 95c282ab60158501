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
 * interactions; Slack's external file upload (files.getUploadURLExternal hands out an upload URL on
 * this server, which records the bytes POSTed to it; files.completeUploadExternal completes them),
 * and chat.postMessage refusing a `slack_file` image block whose file is not a completed upload.
 * Everything it receives is recorded in arrival order.
 *
 * Several workspaces: `addWorkspace` adds one more (its own users, messages and views). A call is
 * answered by the workspace its token belongs to (tokens issued by `oauth.v2.access`), else by the
 * first workspace, so every call is recorded with the `team` that served it. OAuth: `oauthApp`
 * registers the app's credentials and redirect URL; `GET /oauth/v2/authorize?…&team=T…` (Slack's
 * consent page, the person having picked that workspace) redirects there with a one-time code,
 * which `oauth.v2.access` exchanges for a bot token of that workspace. `revokeTokens` does what an
 * uninstall does to a workspace's tokens: every later call with them gets `token_revoked`.
 *
 * `reset()` clears the recorded calls, responses and pending faults. Users, posted messages and views
 * survive it (as they would in a real workspace), and message `ts` values keep increasing (they
 * follow the wall clock, like Slack's), so state persisted by the app across tests stays consistent
 * with the fake.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson } from '../../src/http/respond.ts';
import { createFileStore, type UploadedFile } from '../../src/sandbox/files.ts';
import {
  APP_ID,
  createWorkspace,
  fail,
  parseApiRequest,
  type Workspace,
  type WorkspaceOptions,
  type WorkspaceUser,
} from '../../src/sandbox/web-api.ts';
import { type Random, seededRandom } from './random.ts';

export interface SlackCall {
  method: string;
  /** The request arguments; JSON-string fields (`blocks`, `view`, …) decoded, `token` removed. */
  args: Record<string, unknown>;
  /** From `Authorization: Bearer …`, else a `token` argument. */
  token: string | null;
  /** The workspace that answered: the one the token belongs to (the first workspace for other tokens). */
  team: string;
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

export type FakeSlackUser = WorkspaceUser;

/** A file uploaded through the external upload flow. */
export type FakeFile = UploadedFile;

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

export type FakeSlackOptions = Pick<WorkspaceOptions, 'teamId' | 'botUserId'>;

/** One more workspace of the fake Slack (see `addWorkspace`). */
export interface FakeWorkspace {
  readonly teamId: string;
  readonly botUserId: string;
  /** Latest version of every view opened, pushed, updated or published in this workspace, by view id. */
  readonly views: Map<string, Record<string, unknown>>;
  addUser(u: FakeSlackUser): void;
  messages(): Array<Record<string, unknown> & { channel: string; ts: string }>;
  /** Whether the bot is a member of this channel of the workspace (it joined it). */
  botIn(channel: string): boolean;
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
  /** Every file uploaded, by file id. */
  readonly files: Map<string, FakeFile>;
  callsTo(method: string): SlackCall[];
  waitFor(method: string, predicate?: (c: SlackCall) => boolean, opts?: WaitOptions): Promise<SlackCall[]>;
  failNext(method: string, fault: SlackFault, times?: number): void;
  /** Random faults from now on (null stops them); queued `failNext` faults come first. */
  chaos(options: ChaosOptions | null): void;
  /** Every message in every conversation, as stored (metadata included), oldest first. */
  messages(): Array<Record<string, unknown> & { channel: string; ts: string }>;
  addUser(u: FakeSlackUser): void;
  /** A user group (subteam) whose members usergroups.users.list returns. */
  addUsergroup(id: string, members: readonly string[]): void;
  /** The bot was invited to a channel (private channels, G…, cannot be joined). */
  inviteBot(channel: string): void;
  /** Whether the bot joined, or was invited to, a channel. */
  botIn(channel: string): boolean;
  /** A fresh `response_url` on this server; POSTs to it land in `responses`. */
  responseUrl(): string;
  waitForResponse(predicate?: (r: FakeResponse) => boolean, opts?: WaitOptions): Promise<FakeResponse[]>;
  /** Answers `method` with `handler` from now on (methods the fake does not know, or a different answer). */
  handle(method: string, handler: (args: Record<string, unknown>) => Record<string, unknown>): void;
  /** Adds a workspace; its calls are those made with the tokens `oauth.v2.access` issues for it. */
  addWorkspace(opts: WorkspaceOptions & { teamId: string }): FakeWorkspace;
  /** The app's OAuth credentials and redirect URL, as registered in its settings at Slack. */
  oauthApp(app: { clientId: string; clientSecret: string; redirectUrl: string }): void;
  /** The consent-page requests received (`/oauth/v2/authorize`), in order. */
  readonly authorizeRequests: URL[];
  /** Every token of this workspace stops working (an uninstall or a revocation). */
  revokeTokens(teamId: string): void;
  /** The recorded calls a workspace answered. */
  callsOf(teamId: string): SlackCall[];
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 5000;

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const workspace = createWorkspace(opts);
  const { teamId, botUserId } = workspace;
  const workspaces = new Map<string, Workspace>([[teamId, workspace]]);
  /** Token → the workspace it was issued for; revoked tokens stay, marked. */
  const tokens = new Map<string, { teamId: string; revoked: boolean }>();
  /** Unused authorization codes → the workspace and scopes they grant. */
  const codes = new Map<string, { teamId: string; scope: string }>();
  const authorizeRequests: URL[] = [];
  let oauth: { clientId: string; clientSecret: string; redirectUrl: string } | null = null;
  let issued = 0;

  const calls: SlackCall[] = [];
  const uploads = createFileStore();
  const files = uploads.files;
  let origin = '';
  const uploadUrl = (id: string) => `${origin}/upload/${encodeURIComponent(id)}`;
  uploads.install(workspace.handlers, uploadUrl);
  const responses: FakeResponse[] = [];
  const faults = new Map<string, SlackFault[]>();
  const waiters = new Set<() => void>();
  let chaos: { options: ChaosOptions; random: Random } | null = null;
  let responseCounter = 0;

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

  /** oauth.v2.access: a code from the consent page, once, for the app's own credentials. */
  const exchange = (args: Record<string, unknown>): Record<string, unknown> => {
    if (oauth && (args.client_id !== oauth.clientId || args.client_secret !== oauth.clientSecret))
      return fail('invalid_client_id');
    const grant = codes.get(String(args.code ?? ''));
    if (!grant) return fail('invalid_code');
    codes.delete(String(args.code));
    const ws = workspaces.get(grant.teamId) as Workspace;
    issued += 1;
    const token = `xoxb-${grant.teamId}-${issued}`;
    tokens.set(token, { teamId: grant.teamId, revoked: false });
    const installer = [...ws.users.values()].find((u) => u.isAdmin)?.id ?? null;
    return {
      ok: true,
      access_token: token,
      token_type: 'bot',
      scope: grant.scope,
      bot_user_id: ws.botUserId,
      app_id: APP_ID,
      team: { id: ws.teamId, name: ws.teamName },
      enterprise: null,
      is_enterprise_install: false,
      authed_user: { id: installer ?? 'U0INSTALLER' },
    };
  };

  const handleApi = (req: IncomingMessage, res: ServerResponse, url: URL, raw: string): void => {
    const method = decodeURIComponent(url.pathname.slice('/api/'.length));
    const { args, token } = parseApiRequest(req, url, raw);
    const owner = token === null ? undefined : tokens.get(token);
    const served = workspaces.get(owner?.teamId ?? teamId) as Workspace;
    const call: SlackCall = { method, args, token, team: served.teamId, at: Date.now() };
    const fault = owner?.revoked ? { error: 'token_revoked' } : (takeFault(method) ?? chaosFault(method));
    const answer = () => (method === 'oauth.v2.access' ? exchange(args) : served.call(method, args));
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
      res.setHeader('retry-after', String(fault.retryAfter));
      sendJson(res, 429, response);
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

  const handleUpload = (res: ServerResponse, url: URL, body: Buffer): void => {
    if (!uploads.receive(decodeURIComponent(url.pathname.slice('/upload/'.length)), body)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such upload');
      return;
    }
    notify();
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${body.length}`);
  };

  /** Slack's consent page, once the person picked the workspace (`team`) and clicked Allow. */
  const handleAuthorize = (res: ServerResponse, url: URL): void => {
    authorizeRequests.push(url);
    notify();
    const team = url.searchParams.get('team') ?? '';
    if (!oauth || url.searchParams.get('client_id') !== oauth.clientId || !workspaces.has(team)) {
      sendJson(res, 400, fail('invalid_client_id_or_team'));
      return;
    }
    issued += 1;
    const code = `code-${team}-${issued}`;
    codes.set(code, { teamId: team, scope: url.searchParams.get('scope') ?? '' });
    const back = new URL(oauth.redirectUrl);
    back.searchParams.set('code', code);
    const state = url.searchParams.get('state');
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString() });
    res.end();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req, 50_000_000);
    const raw = body.toString('utf8');
    if (url.pathname.startsWith('/upload/') && req.method === 'POST') {
      handleUpload(res, url, body);
    } else if (url.pathname === '/oauth/v2/authorize' && req.method === 'GET') {
      handleAuthorize(res, url);
    } else if (url.pathname.startsWith('/api/')) {
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
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

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

  return {
    url: `${origin}/api/`,
    teamId,
    botUserId,
    calls,
    responses,
    views: workspace.views,
    files,
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
      workspace.addUser(u);
    },

    addUsergroup(id, members) {
      workspace.addUsergroup(id, members);
    },

    inviteBot(channel) {
      workspace.inviteBot(channel);
    },

    botIn(channel) {
      return workspace.botIn(channel);
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
      workspace.handlers[method] = handler;
    },

    chaos(options) {
      chaos = options === null ? null : { options, random: seededRandom(options.seed) };
    },

    messages() {
      return workspace.messages();
    },

    addWorkspace(wsOpts) {
      if (workspaces.has(wsOpts.teamId)) throw new Error(`fake Slack: workspace ${wsOpts.teamId} exists`);
      const ws = createWorkspace(wsOpts);
      uploads.install(ws.handlers, uploadUrl);
      workspaces.set(ws.teamId, ws);
      return {
        teamId: ws.teamId,
        botUserId: ws.botUserId,
        views: ws.views,
        addUser: (u) => ws.addUser(u),
        messages: () => ws.messages(),
        botIn: (channel) => ws.botIn(channel),
      };
    },

    oauthApp(app) {
      oauth = app;
    },

    authorizeRequests,

    revokeTokens(team) {
      for (const t of tokens.values()) if (t.teamId === team) t.revoked = true;
    },

    callsOf(team) {
      return calls.filter((c) => c.team === team);
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
