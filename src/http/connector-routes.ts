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
import { workspaceCredentials } from '../flows/credentials.ts';
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
import { refuseWorkspace, teamParam, type WorkspaceOf, type WorkspaceOfRequest } from './workspace-of.ts';

export interface ConnectorRouteDeps {
  config: Config;
  clock: Clock;
  db: Db;
  workspaceOf: WorkspaceOf;
  logger: Logger;
  onQueued: () => void;
  onInvoicesChanged: () => void;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
type Wrap = (name: string, handler: Handler) => CustomRoute['handler'];

/** A connector whose settings are not set: its route exists, and says how to turn it on. */
function sendOff(
  res: ServerResponse,
  vendor: string,
  variables: readonly string[],
  c: Pick<ConnectorSettings, 'team'>,
): void {
  const named = c.team !== null;
  sendJson(res, 404, {
    error: named ? `the ${vendor} connector is off for this workspace` : `the ${vendor} connector is off`,
    problems: [
      named
        ? `set its credentials (or ${variables.join(' and ')}) and turn its route on in App Home → Settings (README.md → Connectors → ${vendor})`
        : `set ${variables.join(' and ')} to turn it on (README.md → Connectors → ${vendor})`,
    ],
  });
}

/** One request's connector settings: the environment's, or (with `?team=`) that workspace's own. */
interface ConnectorSettings {
  /** The workspace `?team=` named (or why it cannot be used); null without `team`. */
  team: WorkspaceOfRequest | null;
  on: { hubspot: boolean; salesforce: boolean; stripe: boolean };
  hubspotClientSecret: string | undefined;
  hubspotAccessToken: string | undefined;
  salesforceOrgIds: readonly string[];
  salesforceToken: string | undefined;
  stripeWebhookSecret: string | undefined;
  stripeApiKey: string | undefined;
  /** The HubSpot and Stripe API clients are the workspace's own (else the environment's, built once). */
  ownHubspot: boolean;
  ownStripe: boolean;
}

/**
 * The request's connector settings: with `?team=`, that workspace's own (its `team` resolved, or
 * why not); without, the environment's (the workspace is resolved after the route is found on).
 */
async function connectorSettings(deps: ConnectorRouteDeps, req: IncomingMessage): Promise<ConnectorSettings> {
  const { config } = deps;
  if (teamParam(req) === null)
    return {
      team: null,
      on: { hubspot: true, salesforce: true, stripe: true },
      hubspotClientSecret: config.HUBSPOT_CLIENT_SECRET,
      hubspotAccessToken: config.HUBSPOT_ACCESS_TOKEN,
      salesforceOrgIds: config.SALESFORCE_ORG_IDS ?? [],
      salesforceToken: config.SALESFORCE_WEBHOOK_TOKEN,
      stripeWebhookSecret: config.STRIPE_WEBHOOK_SECRET,
      stripeApiKey: config.STRIPE_API_KEY,
      ownHubspot: false,
      ownStripe: false,
    };
  const team = await deps.workspaceOf(req);
  const { secrets: own, connectors } = team.ok
    ? await workspaceCredentials(deps, team.teamId)
    : { secrets: {}, connectors: {} as Record<string, boolean> };
  // A connector the workspace set credentials for uses its own; one it did not, the environment's.
  const hubspotOwn = Boolean(own.hubspot_client_secret || own.hubspot_access_token);
  const salesforceOwn = Boolean(own.salesforce_org_ids || own.salesforce_webhook_token);
  const stripeOwn = Boolean(own.stripe_webhook_secret || own.stripe_api_key);
  return {
    team,
    on: {
      hubspot: connectors.hubspot !== false,
      salesforce: connectors.salesforce !== false,
      stripe: connectors.stripe !== false,
    },
    hubspotClientSecret: hubspotOwn ? own.hubspot_client_secret : config.HUBSPOT_CLIENT_SECRET,
    hubspotAccessToken: hubspotOwn ? own.hubspot_access_token : config.HUBSPOT_ACCESS_TOKEN,
    ownHubspot: hubspotOwn,
    salesforceOrgIds: salesforceOwn
      ? (own.salesforce_org_ids ?? '').split(',').filter(Boolean)
      : (config.SALESFORCE_ORG_IDS ?? []),
    salesforceToken: salesforceOwn ? own.salesforce_webhook_token : config.SALESFORCE_WEBHOOK_TOKEN,
    stripeWebhookSecret: stripeOwn ? own.stripe_webhook_secret : config.STRIPE_WEBHOOK_SECRET,
    stripeApiKey: stripeOwn ? own.stripe_api_key : config.STRIPE_API_KEY,
    ownStripe: stripeOwn,
  };
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
  const envHubspot =
    config.HUBSPOT_ACCESS_TOKEN && config.HUBSPOT_CLIENT_SECRET
      ? createHubSpotApi(config.HUBSPOT_ACCESS_TOKEN, config.HUBSPOT_API_URL)
      : null;
  const envStripeApi = config.STRIPE_API_KEY
    ? createStripeApi(config.STRIPE_API_KEY, config.STRIPE_API_URL)
    : null;
  return [
    {
      path: '/webhooks/stripe',
      method: 'POST',
      handler: wrap('stripe', async (req, res) => {
        const c = await connectorSettings(deps, req);
        if (c.team && !c.team.ok) return refuseWorkspace(res, c.team);
        const secret = c.stripeWebhookSecret;
        if (!c.on.stripe || !secret) return sendOff(res, 'Stripe', ['STRIPE_WEBHOOK_SECRET'], c);
        const team = c.team ?? (await deps.workspaceOf(req));
        if (!team.ok) return refuseWorkspace(res, team);
        const stripeApi = c.ownStripe
          ? c.stripeApiKey
            ? createStripeApi(c.stripeApiKey, config.STRIPE_API_URL)
            : null
          : envStripeApi;
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
        log.info(
          { teamId: team.teamId, eventId: event.value.id, type: event.value.type, ...outcome },
          'stripe event',
        );
        deps.onQueued();
        if (outcome.invoicesChanged) deps.onInvoicesChanged();
        sendJson(res, 200, { received: true, status: outcome.status, detail: outcome.detail });
      }),
    },
    {
      path: '/webhooks/hubspot',
      method: 'POST',
      handler: wrap('hubspot', async (req, res) => {
        const c = await connectorSettings(deps, req);
        if (c.team && !c.team.ok) return refuseWorkspace(res, c.team);
        const secret = c.hubspotClientSecret;
        const hubspot = c.ownHubspot
          ? c.hubspotAccessToken
            ? createHubSpotApi(c.hubspotAccessToken, config.HUBSPOT_API_URL)
            : null
          : envHubspot;
        if (!c.on.hubspot || !secret || !hubspot)
          return sendOff(res, 'HubSpot', ['HUBSPOT_CLIENT_SECRET', 'HUBSPOT_ACCESS_TOKEN'], c);
        const team = c.team ?? (await deps.workspaceOf(req));
        if (!team.ok) return refuseWorkspace(res, team);
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
        const c = await connectorSettings(deps, req);
        if (c.team && !c.team.ok) return refuseWorkspace(res, c.team);
        const orgIds = c.salesforceOrgIds;
        const token = c.salesforceToken;
        if (!c.on.salesforce || orgIds.length === 0 || !token)
          return sendOff(res, 'Salesforce', ['SALESFORCE_ORG_IDS', 'SALESFORCE_WEBHOOK_TOKEN'], c);
        const given = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
        if (!given || !tokenMatches(token, `Bearer ${given}`))
          return sendXml(
            res,
            401,
            soapFault('unauthorized', ['the endpoint URL needs ?token=<SALESFORCE_WEBHOOK_TOKEN>']),
          );
        const team = c.team ?? (await deps.workspaceOf(req));
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
