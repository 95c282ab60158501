import { firstSighting, forget } from '../db/seen-requests.ts';
import { type DealClosedDeps, type DealClosedInput, recordClosedDeal } from './deal-closed.ts';

export type CrmDealsOutcome =
  | { ok: true; created: number; duplicates: number; ignored: number }
  | { ok: false; problems: string[] };

/** What a CRM's notifications mean once the new ones are known: closed deals, or why they cannot be. */
export interface MappedDeals {
  inputs: DealClosedInput[];
  problems: string[];
  /** Notifications that are no closed deal (another stage, a deleted record). */
  ignored: number;
}

/**
 * The part every CRM connector shares: each notification is handled once (by `keyOf`, in
 * seen_requests), the new ones are mapped, and if any cannot be handed off, none is: the sightings
 * are forgotten and nothing is stored, so the CRM's retry is handled in full once it is fixed.
 * Otherwise each closed deal goes through the deal-closed flow, idempotent by CRM deal id.
 */
export async function recordCrmDeals<E>(
  deps: DealClosedDeps,
  notifications: readonly E[],
  keyOf: (n: E) => string,
  map: (fresh: E[]) => Promise<MappedDeals>,
): Promise<CrmDealsOutcome> {
  const fresh: E[] = [];
  for (const n of notifications) if (await firstSighting(deps.db, deps.teamId, keyOf(n))) fresh.push(n);
  const undo = () => Promise.all(fresh.map((n) => forget(deps.db, deps.teamId, keyOf(n))));
  try {
    const mapped = await map(fresh);
    if (mapped.problems.length > 0) {
      await undo();
      return { ok: false, problems: mapped.problems };
    }
    let created = 0;
    for (const input of mapped.inputs) if ((await recordClosedDeal(deps, input)).created) created += 1;
    return { ok: true, created, duplicates: notifications.length - fresh.length, ignored: mapped.ignored };
  } catch (error) {
    await undo();
    throw error;
  }
}
