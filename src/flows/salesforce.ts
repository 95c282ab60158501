import {
  dealClosedBodyOfOpportunity,
  isClosedWon,
  type OutboundNotification,
} from '../connectors/salesforce/map.ts';
import { type CrmDealsOutcome, type MappedDeals, recordCrmDeals } from './crm-deals.ts';
import { type DealClosedDeps, parseDealClosed } from './deal-closed.ts';

/**
 * One verified Outbound Message: each notification whose Opportunity is won (IsWon, or a stage in
 * SALESFORCE_CLOSED_WON_STAGES) becomes a closed deal, which starts the handoff. A notification id
 * is handled once; an Opportunity once (the deal-closed flow is idempotent by its id).
 */
export async function handleSalesforceMessage(
  deps: DealClosedDeps,
  notifications: readonly OutboundNotification[],
  closedWonStages: readonly string[],
): Promise<CrmDealsOutcome> {
  return recordCrmDeals(
    deps,
    notifications,
    (n) => `salesforce:${n.id}`,
    async (fresh) => {
      const mapped: MappedDeals = { inputs: [], problems: [], ignored: 0 };
      for (const n of fresh) {
        if (!isClosedWon(n.fields, closedWonStages)) {
          mapped.ignored += 1;
          continue;
        }
        const { body, problems } = dealClosedBodyOfOpportunity(n);
        const parsed = parseDealClosed(body);
        if (problems.length > 0) mapped.problems.push(...problems);
        else if (!parsed.ok)
          mapped.problems.push(...parsed.problems.map((p) => `Opportunity ${n.fields.Id}: ${p}`));
        else mapped.inputs.push(parsed.value);
      }
      return mapped;
    },
  );
}
