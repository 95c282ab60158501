import type { HubSpotApi } from '../connectors/hubspot/api.ts';
import {
  DEAL_PROPERTIES,
  dealClosedBodyOf,
  type HubSpotEvent,
  mayCloseDeal,
} from '../connectors/hubspot/map.ts';
import { firstSighting, forget } from '../db/seen-requests.ts';
import {
  type DealClosedDeps,
  type DealClosedInput,
  parseDealClosed,
  recordClosedDeal,
} from './deal-closed.ts';

export interface HubSpotDeps extends DealClosedDeps {
  hubspot: HubSpotApi;
  closedWonStages: readonly string[];
}

export type HubSpotOutcome =
  | { ok: true; created: number; duplicates: number; ignored: number }
  | { ok: false; problems: string[] };

/**
 * One verified batch: each event that may close a deal (a dealstage change to a closed-won stage,
 * a new deal) is read from HubSpot's CRM (deal, company, owner) and, when the deal is closed-won,
 * recorded as a closed deal, which starts the handoff. An event id is handled once; a deal once.
 * Any deal that cannot be mapped rejects the batch, storing nothing (HubSpot sends it again).
 */
export async function handleHubSpotBatch(
  deps: HubSpotDeps,
  events: readonly HubSpotEvent[],
): Promise<HubSpotOutcome> {
  const relevant = events.filter((e) => mayCloseDeal(e, deps.closedWonStages));
  const fresh: HubSpotEvent[] = [];
  for (const event of relevant)
    if (await firstSighting(deps.db, deps.teamId, `hubspot:${event.eventId}`)) fresh.push(event);
  const duplicates = relevant.length - fresh.length;
  const undo = () => Promise.all(fresh.map((e) => forget(deps.db, deps.teamId, `hubspot:${e.eventId}`)));
  try {
    const byDeal = new Map(fresh.map((e) => [e.objectId, e]));
    const inputs: DealClosedInput[] = [];
    const problems: string[] = [];
    for (const event of byDeal.values()) {
      const deal = await deps.hubspot.deal(event.objectId, DEAL_PROPERTIES);
      if (!deal || !deps.closedWonStages.includes(deal.properties.dealstage ?? '')) continue;
      const companyId = deal.companyIds[0];
      const company = companyId ? await deps.hubspot.company(companyId) : null;
      const ownerId = deal.properties.hubspot_owner_id;
      const ownerEmail = ownerId ? await deps.hubspot.ownerEmail(ownerId) : null;
      const mapped = dealClosedBodyOf(deal, company, ownerEmail, new Date(event.occurredAt));
      const parsed = parseDealClosed(mapped.body);
      if (mapped.problems.length > 0) problems.push(...mapped.problems);
      else if (!parsed.ok) problems.push(...parsed.problems.map((p) => `deal ${deal.id}: ${p}`));
      else inputs.push(parsed.value);
    }
    if (problems.length > 0) {
      await undo();
      return { ok: false, problems };
    }
    let created = 0;
    for (const input of inputs) if ((await recordClosedDeal(deps, input)).created) created += 1;
    return {
      ok: true,
      created,
      duplicates,
      ignored: events.length - relevant.length + (byDeal.size - inputs.length),
    };
  } catch (error) {
    await undo();
    throw error;
  }
}
