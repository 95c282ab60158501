import type { HubSpotApi } from '../connectors/hubspot/api.ts';
import {
  DEAL_PROPERTIES,
  dealClosedBodyOf,
  type HubSpotEvent,
  mayCloseDeal,
} from '../connectors/hubspot/map.ts';
import { type CrmDealsOutcome, type MappedDeals, recordCrmDeals } from './crm-deals.ts';
import { type DealClosedDeps, parseDealClosed } from './deal-closed.ts';

export interface HubSpotDeps extends DealClosedDeps {
  hubspot: HubSpotApi;
  closedWonStages: readonly string[];
}

/**
 * One verified batch: each event that may close a deal (a dealstage change to a closed-won stage,
 * a new deal) is read from HubSpot's CRM (deal, company, owner) and, when the deal is closed-won,
 * recorded as a closed deal, which starts the handoff. An event id is handled once; a deal once.
 */
export async function handleHubSpotBatch(
  deps: HubSpotDeps,
  events: readonly HubSpotEvent[],
): Promise<CrmDealsOutcome> {
  const relevant = events.filter((e) => mayCloseDeal(e, deps.closedWonStages));
  const outcome = await recordCrmDeals(
    deps,
    relevant,
    (e) => `hubspot:${e.eventId}`,
    (fresh) => readDeals(deps, fresh),
  );
  return outcome.ok ? { ...outcome, ignored: outcome.ignored + events.length - relevant.length } : outcome;
}

async function readDeals(deps: HubSpotDeps, fresh: readonly HubSpotEvent[]): Promise<MappedDeals> {
  const byDeal = new Map(fresh.map((e) => [e.objectId, e]));
  const mapped: MappedDeals = { inputs: [], problems: [], ignored: fresh.length - byDeal.size };
  for (const event of byDeal.values()) {
    const deal = await deps.hubspot.deal(event.objectId, DEAL_PROPERTIES);
    if (!deal || !deps.closedWonStages.includes(deal.properties.dealstage ?? '')) {
      mapped.ignored += 1;
      continue;
    }
    const companyId = deal.companyIds[0];
    const company = companyId ? await deps.hubspot.company(companyId) : null;
    const ownerId = deal.properties.hubspot_owner_id;
    const ownerEmail = ownerId ? await deps.hubspot.ownerEmail(ownerId) : null;
    const { body, problems } = dealClosedBodyOf(deal, company, ownerEmail, new Date(event.occurredAt));
    const parsed = parseDealClosed(body);
    if (problems.length > 0) mapped.problems.push(...problems);
    else if (!parsed.ok) mapped.problems.push(...parsed.problems.map((p) => `deal ${deal.id}: ${p}`));
    else mapped.inputs.push(parsed.value);
  }
  return mapped;
}
