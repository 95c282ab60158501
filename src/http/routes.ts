import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.ts';
import { parseDealClosed, recordClosedDeal } from '../flows/deal-closed.ts';
import type { Logger } from '../log.ts';
import { BodyTooLargeError, readBody, sendJson, sendProblems } from './respond.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from './signature.ts';

export interface RouteDeps {
  db: Kysely<Database>;
  databaseKind: string;
  teamId: string;
  financeChannelId: string;
  webhookSecret: string | undefined;
  logger: Logger;
  /** Called after new notifications are committed. */
  onQueued: () => void;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Wraps a route so that an unexpected failure is logged once and answered 500, never left hanging. */
function safely(logger: Logger, name: string, handler: Handler): CustomRoute['handler'] {
  return (req, res) => {
    handler(req, res).catch((error: unknown) => {
      logger.error({ err: error, route: name }, 'request failed');
      if (!res.headersSent)
        sendProblems(res, 500, 'internal error: the request was not processed; it is safe to retry');
      else res.end();
    });
  };
}

async function readSignedJson(
  deps: RouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<{ ok: true; body: unknown } | { ok: false }> {
  if (!deps.webhookSecret) {
    sendProblems(res, 503, 'webhooks are disabled', ['set WEBHOOK_SECRET to accept signed webhooks']);
    return { ok: false };
  }
  let raw: string;
  try {
    raw = await readBody(req);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendProblems(res, 413, 'request body too large', [error.message]);
      return { ok: false };
    }
    throw error;
  }
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const check = verifySignature(
    deps.webhookSecret,
    { timestamp: header(TIMESTAMP_HEADER), signature: header(SIGNATURE_HEADER) },
    raw,
  );
  if (!check.ok) {
    sendProblems(res, 401, 'invalid signature', [check.problem]);
    return { ok: false };
  }
  try {
    return { ok: true, body: JSON.parse(raw) };
  } catch (error) {
    sendProblems(res, 400, 'malformed JSON', [(error as Error).message]);
    return { ok: false };
  }
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
        try {
          await Promise.race([
            sql`select 1`.execute(deps.db),
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error('database did not answer within 2 s')), 2_000),
            ),
          ]);
          sendJson(res, 200, { ok: true, database: deps.databaseKind });
        } catch (error) {
          sendJson(res, 503, { ok: false, database: deps.databaseKind, error: (error as Error).message });
        }
      }),
    },
    {
      path: '/webhooks/deal-closed',
      method: 'POST',
      handler: safely(log, 'deal-closed', async (req, res) => {
        const read = await readSignedJson(deps, req, res);
        if (!read.ok) return;
        const parsed = parseDealClosed(read.body);
        if (!parsed.ok) {
          sendProblems(res, 400, 'invalid deal-closed body', parsed.problems);
          return;
        }
        const result = await recordClosedDeal(deps, parsed.value);
        if (result.created) deps.onQueued();
        log.info(
          { dealId: result.dealId, crmId: parsed.value.deal_id, created: result.created },
          'deal closed',
        );
        sendJson(res, result.created ? 202 : 200, {
          deal_id: parsed.value.deal_id,
          status: result.created ? 'accepted' : 'duplicate',
        });
      }),
    },
  ];
}
