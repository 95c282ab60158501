/**
 * A vendor's REST API on loopback (Stripe's, HubSpot's), for tests that drive the vendor's own SDK
 * over HTTP. Routes are `METHOD /path/:param` patterns answering JSON; every call is recorded in
 * arrival order; `failNext(status, times, headers)` injects faults (a 429 with Retry-After, a 500).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiCall {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  body: unknown;
  /** Status of an injected fault. */
  fault?: number;
}

export type Route = (params: Record<string, string>, call: ApiCall) => { status: number; body: unknown };

export interface FakeApi {
  url: string;
  calls: ApiCall[];
  route(pattern: string, answer: Route): void;
  failNext(status: number, times?: number, headers?: Record<string, string>): void;
  reset(): void;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function startFakeApi(): Promise<FakeApi> {
  const routes: { method: string; pattern: RegExp; names: string[]; answer: Route }[] = [];
  const calls: ApiCall[] = [];
  const faults: { status: number; headers: Record<string, string> }[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const call: ApiCall = {
        method: req.method ?? 'GET',
        path: url.pathname,
        // A repeated parameter (`properties=a&properties=b`, as HubSpot's client sends it) joined by commas.
        query: Object.fromEntries(
          [...new Set(url.searchParams.keys())].map((k) => [k, url.searchParams.getAll(k).join(',')]),
        ),
        authorization: req.headers.authorization ?? null,
        body: await bodyOf(req),
      };
      calls.push(call);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const fault = faults.shift();
      if (fault) {
        call.fault = fault.status;
        return send(fault.status, { status: 'error', message: 'injected fault' }, fault.headers);
      }
      for (const r of routes) {
        const match = r.method === call.method ? r.pattern.exec(call.path) : null;
        if (!match) continue;
        const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(match[i + 1] ?? '')]));
        const answer = r.answer(params, call);
        return send(answer.status, answer.body);
      }
      send(404, { status: 'error', message: `no route for ${call.method} ${call.path}` });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    route(spec, answer) {
      const [method, path] = spec.split(' ') as [string, string];
      const names: string[] = [];
      const source = path.replace(/:(\w+)/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      routes.unshift({ method, pattern: new RegExp(`^${source}$`), names, answer });
    },
    failNext(status, times = 1, headers = {}) {
      for (let i = 0; i < times; i++) faults.push({ status, headers });
    },
    reset() {
      calls.length = 0;
      faults.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
