import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import client from 'prom-client';
import type { OutboxStats } from './db/notifications.ts';

/**
 * What AR Bridge tells Prometheus (GET /metrics): one registry per running app, Node's default
 * metrics (event-loop lag, heap, CPU, handles), and its own, all with labels of low cardinality:
 * a route that exists, a Web API method, a sweep's name, a status; never a raw URL or a user id.
 */
export interface Metrics {
  readonly registry: client.Registry;
  /** One Web API call of the outbox worker and how it ended. */
  delivery(method: string, result: DeliveryResult): void;
  /** Slack answered 429 with this Retry-After. */
  rateLimited(method: string, retryAfterSeconds: number): void;
  /** One run of a sweep; `counts` are what it did (reminded, pinged…). */
  sweep(name: string, seconds: number, ok: boolean, counts?: Record<string, unknown>): void;
  /** Whether Slack accepts the bot token (0 while deliveries are paused on a dead token). */
  slackToken(ok: boolean): void;
  /** Counts every request the server answers, by route and status. */
  observeHttp(server: Server): void;
}

export type DeliveryResult = 'ok' | 'rate_limited' | 'slack_error' | 'no_answer';

export interface MetricsSources {
  /** Read at every scrape: rows by status and the oldest due row. */
  outbox?: () => Promise<OutboxStats>;
}

const STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const;

/** The route a request went to, for a label: its path when it exists, never the raw URL. */
export function routeLabel(url: string | undefined, status: number): string {
  if (status === 404) return 'unmatched';
  const path = (url ?? '/').split('?')[0] ?? '/';
  return path.length <= 64 && /^\/[A-Za-z0-9/_-]*$/.test(path) ? path : 'other';
}

export function createMetrics(sources: MetricsSources = {}): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'arbridge_' });
  const registers = [registry];

  new client.Gauge({
    name: 'arbridge_outbox_rows',
    help: 'Outbox rows by status.',
    labelNames: ['status'],
    registers,
    async collect() {
      if (!sources.outbox) return;
      const stats = await sources.outbox().catch(() => null);
      if (!stats) return;
      for (const status of STATUSES) this.set({ status }, stats.byStatus[status] ?? 0);
      oldestDue.set(stats.oldestDueSeconds ?? 0);
    },
  });
  const oldestDue = new client.Gauge({
    name: 'arbridge_outbox_oldest_due_seconds',
    help: 'How long the oldest row that is due has waited for delivery (0 when none is due).',
    registers,
  });
  const deliveries = new client.Counter({
    name: 'arbridge_outbox_deliveries_total',
    help: 'Web API calls made by the outbox worker, by method and result.',
    labelNames: ['method', 'result'],
    registers,
  });
  const rateLimited = new client.Counter({
    name: 'arbridge_slack_rate_limited_total',
    help: 'Slack answers 429 (rate limited), by method.',
    labelNames: ['method'],
    registers,
  });
  const retryAfter = new client.Counter({
    name: 'arbridge_slack_retry_after_seconds_total',
    help: 'Seconds Slack asked to wait in Retry-After, summed, by method.',
    labelNames: ['method'],
    registers,
  });
  const sweeps = new client.Histogram({
    name: 'arbridge_sweep_duration_seconds',
    help: 'How long each sweep run took, by sweep and result.',
    labelNames: ['sweep', 'result'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers,
  });
  const sweepItems = new client.Counter({
    name: 'arbridge_sweep_items_total',
    help: 'What the sweeps did (reminders, escalations, pings…), by sweep and kind.',
    labelNames: ['sweep', 'kind'],
    registers,
  });
  const token = new client.Gauge({
    name: 'arbridge_slack_token_ok',
    help: '1 while Slack accepts the bot token; 0 while it is rejected and deliveries are paused.',
    registers,
  });
  token.set(1);
  const http = new client.Counter({
    name: 'arbridge_http_requests_total',
    help: 'HTTP requests answered, by route and status.',
    labelNames: ['route', 'status'],
    registers,
  });
  const httpSeconds = new client.Histogram({
    name: 'arbridge_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route.',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });

  return {
    registry,
    delivery: (method, result) => deliveries.inc({ method, result }),
    rateLimited(method, seconds) {
      rateLimited.inc({ method });
      retryAfter.inc({ method }, seconds);
    },
    sweep(name, seconds, ok, counts = {}) {
      sweeps.observe({ sweep: name, result: ok ? 'ok' : 'error' }, seconds);
      for (const [kind, n] of Object.entries(counts))
        if (typeof n === 'number' && n > 0) sweepItems.inc({ sweep: name, kind }, n);
    },
    slackToken: (ok) => token.set(ok ? 1 : 0),
    observeHttp(server) {
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        const started = performance.now();
        res.once('finish', () => {
          const route = routeLabel(req.url, res.statusCode);
          http.inc({ route, status: String(res.statusCode) });
          httpSeconds.observe({ route }, (performance.now() - started) / 1000);
        });
      });
    },
  };
}
