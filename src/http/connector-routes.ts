import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { createHubSpotApi, HubSpotUnavailableError } from '../connectors/hubspot/api.ts';
import { hubSpotBatch } from '../connectors/hubspot/map.ts';
import {
  organizationAllowed,
  parseOutboundMessage,
  SOAP_ACK,
  soapFault,
} from '../connectors/salesforce/map.ts';
import { createStripeApi } from '../connectors/stripe/api.ts';
import { parseWith, stripeEvent } from '../connectors/stripe/map.ts';
import type { Db } from '../db/schema.ts';
import { handleHubSpotBatch } from '../flows/hubspot.ts';
import { handleSalesforceMessage } from '../flows/salesforce.ts';
import { handleStripeEvent } from '../flows/stripe.ts';
import type { Logger } from '../log.ts';
import { describeIssues } from '../validation.ts';
import {
  HUBSPOT_SIGNATURE_HEADER,
  HUBSPOT_TIMESTAMP_HEADER,
  hubSpotSignedUri,
  verifyHubSpotSignature,
} from './hubspot-signature.ts';
import { decodeUtf8, header, parseJsonBody, readBodyOrRefuse, sendJson, sendProblems } from './respond.ts';
import { tokenMatches } from './signature.ts';
import { STRIPE_SIGNATURE_HEADER, verifyStripeSignature } from './stripe-signature.ts';
import type { WorkspaceOf } from './workspace-of.ts';

export interface ConnectorRouteDeps {
  config: Config;
  clock: Clock;
  db: Db;
  workspaceOf: WorkspaceOf;
  financeChannelId: string;
  logger: Logger;
  onQueued: () => void;
  onInvoicesChanged: () => void;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
type Wrap = (name: string, handler: Handler) => CustomRoute['handler'];

/** A connector whose settings are not set: its route exists, and says how to turn it on. */
function sendOff(res: ServerResponse, vendor: string, variables: readonly string[]): void {
  sendJson(res, 404, {
    error: `the ${vendor} connector is off`,
    problems: [`set ${variables.join(' and ')} to turn it on (README.md → Connectors → ${vendor})`],
  });
}

function sendXml(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, {
    'content-type': 'text/xml; charset=utf-8',
    'content-length': Buffer.byteLength(xml),
  });
  res.end(xml);
}

/** POST /webhooks/stripe, /webhooks/hubspot and /webhooks/salesforce: each off until configured. */
export function connectorRoutes(deps: ConnectorRouteDeps, wrap: Wrap): CustomRoute[] {
  const log = deps.logger.child({ component: 'connectors' });
  const { config } = deps;
  const hubspot =
    config.HUBSPOT_ACCESS_TOKEN && config.HUBSPOT_CLIENT_SECRET
      ? createHubSpotApi(config.HUBSPOT_ACCESS_TOKEN, config.HUBSPOT_API_URL)
      : null;
  const stripeApi = config.STRIPE_API_KEY
    ? createStripeApi(config.STRIPE_API_KEY, config.STRIPE_API_URL)
    : null;
  return [
    {
      path: '/webhooks/stripe',
      method: 'POST',
      handler: wrap('stripe', async (req, res) => {
        const secret = config.STRIPE_WEBHOOK_SECRET;
        if (!secret) return sendOff(res, 'Stripe', ['STRIPE_WEBHOOK_SECRET']);
        const team = await deps.workspaceOf(req);
        if (!team.ok)
          return sendProblems(res, team.status, 'unknown workspace: nothing was stored', [team.problem]);
        const raw = await readBodyOrRefuse(req, res);
        if (!raw) return;
        const check = await verifyStripeSignature(
          secret,
          header(req, STRIPE_SIGNATURE_HEADER),
          raw,
          deps.clock.now(),
        );
        if (!check.ok) return sendProblems(res, 401, 'invalid signature', [check.problem]);
        const read = parseJsonBody(raw, res);
        if (!read.ok) return;
        const event = parseWith(stripeEvent, read.body, '');
        if (!event.ok)
          return sendProblems(res, 400, 'invalid Stripe event: nothing was stored', event.problems);
        const outcome = await handleStripeEvent({ ...deps, teamId: team.teamId, stripeApi }, event.value);
        if (outcome.status === 'invalid')
          return sendProblems(res, 400, `invalid ${event.value.type}: nothing was stored`, outcome.problems);
        log.info({ eventId: event.value.id, type: event.value.type, ...outcome }, 'stripe event');
        deps.onQueued();
        if (outcome.invoicesChanged) deps.onInvoicesChanged();
        sendJson(res, 200, { received: true, status: outcome.status, detail: outcome.detail });
      }),
    },
    {
      path: '/webhooks/hubspot',
      method: 'POST',
      handler: wrap('hubspot', async (req, res) => {
        const secret = config.HUBSPOT_CLIENT_SECRET;
        if (!secret || !hubspot)
          return sendOff(res, 'HubSpot', ['HUBSPOT_CLIENT_SECRET', 'HUBSPOT_ACCESS_TOKEN']);
        const team = await deps.workspaceOf(req);
        if (!team.ok)
          return sendProblems(res, team.status, 'unknown workspace: nothing was stored', [team.problem]);
        const raw = await readBodyOrRefuse(req, res);
        if (!raw) return;
        const request = {
          method: req.method ?? 'POST',
          uri: hubSpotSignedUri(req, config.PUBLIC_URL),
          signature: header(req, HUBSPOT_SIGNATURE_HEADER),
          timestamp: header(req, HUBSPOT_TIMESTAMP_HEADER),
        };
        const check = verifyHubSpotSignature(secret, request, raw, deps.clock.now());
        if (!check.ok) return sendProblems(res, 401, 'invalid signature', [check.problem]);
        const read = parseJsonBody(raw, res);
        if (!read.ok) return;
        const batch = hubSpotBatch.safeParse(read.body);
        if (!batch.success)
          return sendProblems(
            res,
            400,
            'invalid HubSpot events: nothing was stored',
            describeIssues(batch.error),
          );
        try {
          const outcome = await handleHubSpotBatch(
            { ...deps, teamId: team.teamId, hubspot, closedWonStages: config.HUBSPOT_CLOSED_WON_STAGES },
            batch.data,
          );
          if (!outcome.ok)
            return sendProblems(
              res,
              400,
              'HubSpot deals that cannot be handed off: nothing was stored',
              outcome.problems,
            );
          log.info({ received: batch.data.length, ...outcome }, 'hubspot events');
          if (outcome.created > 0) deps.onQueued();
          sendJson(res, 200, { received: batch.data.length, ...outcome });
        } catch (error) {
          if (!(error instanceof HubSpotUnavailableError)) throw error;
          log.warn({ err: error }, 'hubspot events refused: the CRM API did not answer');
          res.setHeader('retry-after', '60');
          sendProblems(res, 503, "HubSpot's API did not answer: nothing was stored; HubSpot retries", [
            error.message,
          ]);
        }
      }),
    },
    {
      path: '/webhooks/salesforce',
      method: 'POST',
      handler: wrap('salesforce', async (req, res) => {
        const orgIds = config.SALESFORCE_ORG_IDS ?? [];
        const token = config.SALESFORCE_WEBHOOK_TOKEN;
        if (orgIds.length === 0 || !token)
          return sendOff(res, 'Salesforce', ['SALESFORCE_ORG_IDS', 'SALESFORCE_WEBHOOK_TOKEN']);
        const given = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
        if (!given || !tokenMatches(token, `Bearer ${given}`))
          return sendXml(
            res,
            401,
            soapFault('unauthorized', ['the endpoint URL needs ?token=<SALESFORCE_WEBHOOK_TOKEN>']),
          );
        const team = await deps.workspaceOf(req);
        if (!team.ok)
          return sendXml(
            res,
            team.status,
            soapFault('unknown workspace: nothing was stored', [team.problem]),
          );
        const raw = await readBodyOrRefuse(req, res);
        if (!raw) return;
        const xml = decodeUtf8(raw);
        // Strict UTF-8 has no lone surrogates; NUL is refused as everywhere (no store keeps it).
        if (xml === null || xml.includes('\0'))
          return sendXml(
            res,
            400,
            soapFault('malformed body', ['the body is not valid UTF-8 text without NUL']),
          );
        const message = parseOutboundMessage(xml);
        if (!message.ok)
          return sendXml(
            res,
            400,
            soapFault('invalid outbound message: nothing was stored', message.problems),
          );
        if (!organizationAllowed(message.value.organizationId, orgIds))
          return sendXml(
            res,
            401,
            soapFault('unauthorized', ['this organisation is not in SALESFORCE_ORG_IDS']),
          );
        const outcome = await handleSalesforceMessage(
          { ...deps, teamId: team.teamId },
          message.value.notifications,
          config.SALESFORCE_CLOSED_WON_STAGES,
        );
        if (!outcome.ok)
          return sendXml(
            res,
            400,
            soapFault('Opportunities that cannot be handed off: nothing was stored', outcome.problems),
          );
        log.info({ received: message.value.notifications.length, ...outcome }, 'salesforce notifications');
        if (outcome.created > 0) deps.onQueued();
        sendXml(res, 200, SOAP_ACK);
      }),
    },
  ];
}
