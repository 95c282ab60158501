import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { pingDatabase } from '../db/connect.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { pendingMigrations } from '../db/migrate.ts';
import type { Db } from '../db/schema.ts';
import { hasOwnApiToken, teamOfToken, workspaceCredentials } from '../flows/credentials.ts';
import { parseDealClosed, recordClosedDeal } from '../flows/deal-closed.ts';
import { parseInvoicesBody } from '../flows/invoice-body.ts';
import { upsertInvoices } from '../flows/invoices.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { connectorRoutes } from './connector-routes.ts';
import { header, parseJsonBody, type Read, readBodyOrRefuse, sendJson, sendProblems } from './respond.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, tokenMatches, verifySignature } from './signature.ts';
import { refuseWorkspace, teamParam, type WorkspaceOf } from './workspace-of.ts';

export interface RouteDeps {
  config: Config;
  clock: Clock;
  db: Db;
  databaseKind: string;
  /** The workspace a request writes to (src/http/workspace-of.ts). */
  workspaceOf: WorkspaceOf;
  /** Whether a workspace is served now (installed, not uninstalled): one its token names must be. */
  isServed: (teamId: string) => Promise<boolean>;
  webhookSecret: string | undefined;
  apiToken: string | undefined;
  logger: Logger;
  /** Called after new notifications are committed. */
  onQueued: () => void;
  /** Called after invoices changed, so the sweeps look at them soon. */
  onInvoicesChanged: () => void;
  /** Served on GET /metrics when given. */
  metrics?: Metrics | undefined;
  /** Why Slack cannot be used now (for /readyz), or null. */
  slackProblem?: (() => string | null) | undefined;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Seconds a client is asked to wait before retrying while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 30;

/**
 * Wraps a route so that a failure is answered, never left hanging: 503 with Retry-After while the
 * database is unavailable (nothing was stored; the sender retries), else 500, logged once.
 */
export function safely(logger: Logger, name: string, handler: Handler): CustomRoute['handler'] {
  return (req, res) => {
    handler(req, res).catch((error: unknown) => {
      const unavailable = isDatabaseUnavailable(error);
      if (unavailable)
        logger.warn({ err: error, route: name }, 'request refused: the database is unavailable');
      else logger.error({ err: error, route: name }, 'request failed');
      if (res.headersSent) res.end();
      else if (unavailable) {
        res.setHeader('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
        sendProblems(res, 503, 'the database is unavailable: nothing was stored; retry later');
      } else sendProblems(res, 500, 'internal error: the request was not processed; it is safe to retry');
    });
  };
}

/** Why the app cannot serve requests now (a short reason, never the raw error), or null when it can. */
async function notReadyBecause(db: Db): Promise<string | null> {
  try {
    await pingDatabase(db);
  } catch {
    return 'the database does not answer';
  }
  try {
    const pending = await pendingMigrations(db);
    if (pending === 0) return null;
    return `the database schema is behind: ${pending} migration${pending === 1 ? '' : 's'} not applied (restart AR Bridge, or run npm run migrate)`;
  } catch {
    return 'the database does not answer';
  }
}

async function readJson(req: IncomingMessage, res: ServerResponse, limit?: number): Promise<Read<unknown>> {
  const raw = await readBodyOrRefuse(req, res, limit);
  return raw ? parseJsonBody(raw, res) : { ok: false };
}

/** The signature is checked over the raw bytes, before they are decoded or parsed. */
async function readSignedJson(
  secret: string | undefined,
  perWorkspace: boolean,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Read<unknown>> {
  if (!secret) {
    sendProblems(res, 503, 'webhooks are disabled', [
      perWorkspace
        ? 'create this workspace’s webhook secret in App Home → Settings (or set WEBHOOK_SECRET) to accept signed webhooks'
        : 'set WEBHOOK_SECRET to accept signed webhooks',
    ]);
    return { ok: false };
  }
  const raw = await readBodyOrRefuse(req, res);
  if (!raw) return { ok: false };
  const check = verifySignature(
    secret,
    { timestamp: header(req, TIMESTAMP_HEADER), signature: header(req, SIGNATURE_HEADER) },
    raw,
  );
  if (!check.ok) {
    sendProblems(res, 401, 'invalid signature', [check.problem]);
    return { ok: false };
  }
  return parseJsonBody(raw, res);
}

type InvoicesTeam =
  | { ok: true; teamId: string }
  | { ok: false; status: number; error: string; problem: string };

/**
 * The workspace POST /api/invoices writes to: a workspace's own token (found by its hash) names
 * its workspace; without `?team=`, API_TOKEN is the start-up workspace's, as before.
 */
async function invoicesTeam(deps: RouteDeps, req: IncomingMessage): Promise<InvoicesTeam> {
  const authorization = header(req, 'authorization');
  const token = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '')?.[1];
  const owner = token ? await teamOfToken(deps, token) : undefined;
  const unauthorized: InvoicesTeam = {
    ok: false,
    status: 401,
    error: 'unauthorized',
    problem:
      'send the header Authorization: Bearer <token> (the workspace’s token from App Home → Settings, or API_TOKEN)',
  };
  if (owner !== undefined && teamParam(req) === null) {
    if (await deps.isServed(owner)) return { ok: true, teamId: owner };
    return {
      ok: false,
      status: 404,
      error: 'unknown workspace: nothing was stored',
      problem: `AR Bridge is not installed in workspace ${owner} any more`,
    };
  }
  const team = await deps.workspaceOf(req);
  if (!team.ok)
    return {
      ok: false,
      status: team.status,
      error: 'unknown workspace: nothing was stored',
      problem: team.problem,
    };
  if (owner !== undefined) return owner === team.teamId ? { ok: true, teamId: owner } : unauthorized;
  // A workspace with a token of its own no longer takes API_TOKEN.
  if (team.named && (await hasOwnApiToken(deps, team.teamId))) return unauthorized;
  if (!deps.apiToken)
    return {
      ok: false,
      status: 503,
      error: 'the invoices API is disabled',
      problem: 'set API_TOKEN, or create a workspace token in App Home → Settings, to accept invoices',
    };
  return tokenMatches(deps.apiToken, authorization) ? { ok: true, teamId: team.teamId } : unauthorized;
}

/** GET /metrics in Prometheus text format, when the app keeps metrics. */
function metricsRoute(metrics: Metrics | undefined, log: Logger): CustomRoute[] {
  if (!metrics) return [];
  return [
    {
      path: '/metrics',
      method: 'GET',
      handler: safely(log, 'metrics', async (_req, res) => {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      }),
    },
  ];
}

export function customRoutes(deps: RouteDeps): CustomRoute[] {
  const log = deps.logger.child({ component: 'http' });
  return [
    {
      path: '/healthz',
      method: 'GET',
      handler: (_req, res) => sendJson(res, 200, { ok: true }),
    },
    {
      path: '/readyz',
      method: 'GET',
      handler: safely(log, 'readyz', async (_req, res) => {
        const reason = (await notReadyBecause(deps.db)) ?? deps.slackProblem?.() ?? null;
        if (reason === null) sendJson(res, 200, { ok: true, database: deps.databaseKind });
        else sendJson(res, 503, { ok: false, database: deps.databaseKind, reason });
      }),
    },
    ...metricsRoute(deps.metrics, log),
    {
      path: '/api/invoices',
      method: 'POST',
      handler: safely(log, 'invoices', async (req, res) => {
        const team = await invoicesTeam(deps, req);
        if (!team.ok) return sendProblems(res, team.status, team.error, [team.problem]);
        const { teamId } = team;
        const read = await readJson(req, res, 20_000_000);
        if (!read.ok) return;
        const parsed = parseInvoicesBody(read.body);
        if (!parsed.ok) {
          sendProblems(res, 400, 'invalid invoices: nothing was stored', parsed.problems);
          return;
        }
        const now = deps.clock.now();
        const result = await deps.db
          .transaction()
          .execute((trx) => upsertInvoices(deps, trx, teamId, parsed.rows, now));
        log.info({ ...result, teamId, received: parsed.rows.length }, 'invoices received');
        deps.onQueued();
        if (result.created + result.updated > 0) deps.onInvoicesChanged();
        sendJson(res, 200, {
          received: parsed.rows.length,
          created: result.created,
          updated: result.updated,
          unchanged: result.unchanged,
          payments: result.payments,
          paid: result.paid,
          accounts_created: result.accountsCreated,
        });
      }),
    },
    {
      path: '/webhooks/deal-closed',
      method: 'POST',
      handler: safely(log, 'deal-closed', async (req, res) => {
        const team = await deps.workspaceOf(req);
        if (!team.ok) return refuseWorkspace(res, team);
        const { teamId } = team;
        // A workspace's own secret replaces the environment's for it, once it has one.
        const own = team.named
          ? (await workspaceCredentials(deps, teamId)).secrets.webhook_secret
          : undefined;
        const read = await readSignedJson(own ?? deps.webhookSecret, team.named, req, res);
        if (!read.ok) return;
        const parsed = parseDealClosed(read.body);
        if (!parsed.ok) {
          sendProblems(res, 400, 'invalid deal-closed body', parsed.problems);
          return;
        }
        const result = await recordClosedDeal({ ...deps, teamId }, parsed.value);
        if (result.created) deps.onQueued();
        log.info(
          { teamId, dealId: result.dealId, crmId: parsed.value.deal_id, created: result.created },
          'deal closed',
        );
        sendJson(res, result.created ? 202 : 200, {
          deal_id: parsed.value.deal_id,
          status: result.created ? 'accepted' : 'duplicate',
        });
      }),
    },
    ...connectorRoutes(deps, (name, handler) => safely(log, name, handler)),
  ];
}
