/**
 * The sandbox's one loopback server: the Slack Web API the bot calls (`/api/<method>`), the
 * response_url endpoints (`/response/<id>`), the page (`/`, its modules under `/page/`, Preact and
 * htm from node_modules under `/vendor/`), and the page's own JSON routes under `/sandbox/`: what
 * a person sees, what they do in Slack, and the panels for the outside world.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire, stripTypeScriptTypes } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join, normalize } from 'node:path';
import { z } from 'zod';
import { readBody, sendJson } from '../http/respond.ts';
import type { MovableClock } from './clock.ts';
import type { DemoPerson } from './demo-people.ts';
import type { FileStore } from './files.ts';
import type { SlackSide } from './interactions.ts';
import type { Outside } from './outside.ts';
import { dmChannelFor, fail, parseApiRequest, type Workspace } from './web-api.ts';

export interface SandboxServerOptions {
  port: number;
  workspace: Workspace;
  /** The bot's token: Web API calls with any other get `invalid_auth`. */
  botToken: string;
  people: readonly DemoPerson[];
  financeChannel: { id: string; name: string };
  clock: MovableClock;
  /** Files uploaded through the external upload flow: their upload URLs and /files/<id> are served here. */
  files: FileStore;
  /** Set once the bot is running (the Web API must answer before that, for auth.test). */
  slack: () => { side: SlackSide; outside: Outside } | undefined;
}

const PAGE_DIR = join(import.meta.dirname, 'page');
const require = createRequire(import.meta.url);
/** The ES module build next to a package's CommonJS entry point. */
const esm = (name: string, file: string) => join(dirname(require.resolve(name)), file);
const VENDOR: Record<string, string> = {
  'preact.js': esm('preact', 'preact.module.js'),
  'hooks.js': esm('preact/hooks', 'hooks.module.js'),
  'htm.js': esm('htm', 'htm.module.js'),
};

const person = z.string().regex(/^[UW][A-Z0-9]{2,}$/);
const channel = z.string().regex(/^[CDG][A-Z0-9]{2,}$/);
const ts = z.string().regex(/^\d+\.\d+$/);
const values = z.record(z.string(), z.record(z.string(), z.unknown()));

const schemas = {
  send: z.object({ as: person, channel, text: z.string().min(1).max(40_000), thread_ts: ts.optional() }),
  action: z.object({
    as: person,
    source: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('message'), channel, ts }),
      z.object({ kind: z.literal('ephemeral'), channel, ts }),
      z.object({ kind: z.literal('view'), viewId: z.string().min(1) }),
    ]),
    action: z
      .record(z.string(), z.unknown())
      .refine((a) => typeof a.action_id === 'string', 'needs action_id'),
    values: values.default({}),
  }),
  submit: z.object({ as: person, viewId: z.string().min(1), values }),
  close: z.object({ as: person }),
  suggest: z.object({
    as: person,
    viewId: z.string().nullable(),
    blockId: z.string(),
    actionId: z.string(),
    value: z.string().max(1000),
  }),
  home: z.object({ as: person }),
  crm: z.record(z.string(), z.unknown()),
  billing: z.union([z.object({ csv: z.string().min(1) }), z.object({ invoices: z.array(z.unknown()) })]),
  clock: z.object({
    hours: z
      .number()
      .positive()
      .max(24 * 366),
  }),
};

function contentType(path: string): string {
  if (path.endsWith('.html')) return 'text/html; charset=utf-8';
  if (path.endsWith('.css')) return 'text/css; charset=utf-8';
  if (path.endsWith('.png')) return 'image/png';
  return 'text/javascript; charset=utf-8';
}

function sendFile(res: ServerResponse, path: string, body: string | Buffer): void {
  res.writeHead(200, { 'content-type': contentType(path), 'cache-control': 'no-store' });
  res.end(body);
}

/** A page module: TypeScript with its types stripped (no build step), or CSS and HTML as they are. */
function pageFile(name: string): string | null {
  const path = normalize(join(PAGE_DIR, name));
  if (!path.startsWith(PAGE_DIR) || !/\.(ts|css|html)$/.test(path)) return null;
  try {
    const text = readFileSync(path, 'utf8');
    return path.endsWith('.ts') ? stripTypeScriptTypes(text, { mode: 'strip' }) : text;
  } catch {
    return null;
  }
}

export interface SandboxServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startSandboxServer(o: SandboxServerOptions): Promise<SandboxServer> {
  const { workspace } = o;
  const streams = new Set<ServerResponse>();
  let pending: NodeJS.Timeout | undefined;
  workspace.subscribe(() => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      for (const s of streams) s.write('data: change\n\n');
    }, 30);
  });

  /** Everything `userId` sees in Slack right now. */
  const stateFor = (userId: string) => {
    const dm = dmChannelFor(userId);
    const visible = new Set([o.financeChannel.id, dm]);
    return {
      me: userId,
      /** False while the bot is still starting (migrations, demo data). */
      ready: o.slack() !== undefined,
      now: o.clock.now().toISOString(),
      offsetMs: o.clock.offsetMs(),
      team: { id: workspace.teamId, name: workspace.teamName },
      bot: { id: workspace.botUserId, name: 'AR Bridge' },
      people: o.people.map(({ id, realName, title, tz, role }) => ({ id, realName, title, tz, role })),
      channels: [o.financeChannel],
      dm,
      messages: workspace.messages().filter((m) => visible.has(m.channel)),
      ephemerals: workspace.ephemerals.filter((e) => e.user === userId),
      modals: workspace.stackOf(userId),
      home: workspace.homeViewOf(userId) ?? null,
    };
  };

  const api = async (req: IncomingMessage, res: ServerResponse, url: URL, raw: string) => {
    const method = decodeURIComponent(url.pathname.slice('/api/'.length));
    const { args, token } = parseApiRequest(req, url, raw);
    if (token !== o.botToken) return sendJson(res, 200, fail(token ? 'invalid_auth' : 'not_authed'));
    sendJson(res, 200, workspace.call(method, args));
  };

  const routes: Record<string, (body: unknown) => Promise<unknown>> = {
    send: async (b) => {
      const p = schemas.send.parse(b);
      await need().side.send(p.as, p.channel, p.text, p.thread_ts);
      return { ok: true };
    },
    action: async (b) => {
      const p = schemas.action.parse(b);
      await need().side.act(p.as, p.source, p.action, p.values);
      return { ok: true };
    },
    submit: async (b) => {
      const p = schemas.submit.parse(b);
      return need().side.submit(p.as, p.viewId, p.values);
    },
    close: async (b) => {
      need().side.close(schemas.close.parse(b).as);
      return { ok: true };
    },
    suggest: async (b) => {
      const p = schemas.suggest.parse(b);
      return { options: await need().side.suggest(p.as, p.viewId, p.blockId, p.actionId, p.value) };
    },
    home: async (b) => {
      await need().side.openHome(schemas.home.parse(b).as);
      return { ok: true };
    },
    crm: async (b) => need().outside.closeDeal(schemas.crm.parse(b)),
    billing: async (b) => {
      const p = schemas.billing.parse(b);
      return 'csv' in p ? need().outside.importCsv(p.csv) : need().outside.sendInvoices(p);
    },
    clock: async (b) => need().outside.advance(schemas.clock.parse(b).hours),
  };
  const need = () => {
    const slack = o.slack();
    if (!slack) throw new Error('the bot is still starting');
    return slack;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (path.startsWith('/api/'))
      return api(req, res, url, (await readBody(req, 5_000_000)).toString('utf8'));
    if (path.startsWith('/upload/') && req.method === 'POST') {
      const received = o.files.receive(
        decodeURIComponent(path.slice('/upload/'.length)),
        await readBody(req, 5_000_000),
      );
      res.writeHead(received ? 200 : 404, { 'content-type': 'text/plain' });
      res.end(received ? 'OK' : 'no such upload');
      return;
    }
    if (path.startsWith('/files/') && req.method === 'GET') {
      const file = o.files.files.get(decodeURIComponent(path.slice('/files/'.length)));
      if (file?.completed && file.bytes) {
        res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'max-age=86400' });
        res.end(file.bytes);
        return;
      }
      return sendJson(res, 404, fail('file_not_found'));
    }
    if (path.startsWith('/response/') && req.method === 'POST') {
      const raw = (await readBody(req, 1_000_000)).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw || '{}');
      } catch {
        return sendJson(res, 400, fail('invalid_json'));
      }
      const answer = need().side.respond(path.slice('/response/'.length), body);
      return sendJson(res, answer.status, answer.body);
    }
    if (path === '/' || path === '/index.html') {
      const html = pageFile('index.html');
      if (html) return sendFile(res, 'index.html', html);
    }
    if (path.startsWith('/page/')) {
      const file = pageFile(path.slice('/page/'.length));
      if (file !== null) return sendFile(res, path, file);
    }
    const vendor = VENDOR[path.slice('/vendor/'.length)];
    if (path.startsWith('/vendor/') && vendor) return sendFile(res, vendor, readFileSync(vendor));
    if (path === '/sandbox/state') {
      const as = person.safeParse(url.searchParams.get('as'));
      return sendJson(
        res,
        as.success ? 200 : 400,
        as.success ? stateFor(as.data) : { error: 'as=U… needed' },
      );
    }
    if (path === '/sandbox/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write('data: hello\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    const route = routes[path.slice('/sandbox/'.length)];
    if (path.startsWith('/sandbox/') && route && req.method === 'POST') {
      const raw = (await readBody(req, 20_000_000)).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return sendJson(res, 400, { error: 'malformed JSON' });
      }
      try {
        return sendJson(res, 200, await route(body));
      } catch (error) {
        if (error instanceof z.ZodError)
          return sendJson(res, 400, {
            error: 'invalid request',
            problems: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
          });
        throw error;
      }
    }
    sendJson(res, 404, { error: 'not found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String((error as Error).message ?? error) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    url,
    async close() {
      for (const s of streams) s.end();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
