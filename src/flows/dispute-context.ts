import { disputeReasons } from '../db/collection-updates.ts';
import { dealOfInvoice } from '../db/deals.ts';
import type { Queryable } from '../db/schema.ts';
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
  if (!found) return null;
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

/** The context of each disputed invoice among `invoices` (the first `max`), with its latest dispute's reason. */
export async function disputeContexts(
  db: Queryable,
  teamId: string,
  invoices: ReadonlyArray<{ id: number; number: string; disputed: boolean }>,
  max: number,
): Promise<Array<{ number: string; context: DisputeContext }>> {
  const disputed = invoices.filter((inv) => inv.disputed).slice(0, max);
  if (disputed.length === 0) return [];
  const reasons = await disputeReasons(
    db,
    disputed.map((inv) => inv.id),
  );
  const found = [];
  for (const inv of disputed) {
    const context = await disputeContext(db, teamId, inv.id, reasons.get(inv.id) ?? null);
    if (context) found.push({ number: inv.number, context });
  }
  return found;
}
