import { dealOfInvoice } from '../db/deals.ts';
import type { Queryable } from '../db/schema.ts';
import type { DisputeDeal, StatusDisputes } from '../db/status.ts';
import { type DisputeContext, disputeContextOf } from '../domain/dispute-context.ts';
import { currentFields } from '../domain/handoff.ts';

/**
 * What the handoff of the invoice's deal recorded, for a dispute with this reason (a key such as
 * 'discount_missing_or_wrong', or null): every path that opens a dispute quotes it (the AR modal
 * now; a billing system's dispute event calls the same). Null when the account has no deal here.
 */
export async function disputeContext(
  db: Queryable,
  teamId: string,
  invoiceId: number,
  reason: string | null,
): Promise<DisputeContext | null> {
  const found = await dealOfInvoice(db, teamId, invoiceId);
  return found ? contextOfDeal(found, reason) : null;
}

/** The context a dispute with this reason quotes from the invoice's deal and its handoff. */
export function contextOfDeal(found: DisputeDeal, reason: string | null): DisputeContext {
  const { deal, handoff } = found;
  return disputeContextOf({
    dealName: deal.name,
    fromLatestDeal: found.fromLatestDeal,
    fields: currentFields(deal, handoff),
    submitted: handoff
      ? { byUserId: handoff.submitted_by, at: handoff.submitted_at, complete: handoff.complete }
      : null,
    reason,
  });
}

/**
 * The context of each disputed invoice among `invoices` (the first `max`), with its latest dispute's
 * reason, from what the status lookup loaded with the account (no statement of its own).
 */
export function disputeContexts(
  loaded: StatusDisputes,
  invoices: ReadonlyArray<{ id: number; number: string; disputed: boolean }>,
  max: number,
): Array<{ number: string; context: DisputeContext }> {
  const found = [];
  for (const inv of invoices.filter((i) => i.disputed).slice(0, max)) {
    const deal = loaded.dealOf(inv.id);
    if (deal) found.push({ number: inv.number, context: contextOfDeal(deal, loaded.reasonOf(inv.id)) });
  }
  return found;
}
