import { reminderGuardState } from '../db/deals.ts';
import type { Db, Notification } from '../db/schema.ts';
import type { Guard } from './outbox.ts';

/** Why the row's message became moot, or null when it should still go out. */
export async function mootReason(db: Db, row: Notification): Promise<string | null> {
  const guard = row.guard as Guard | null;
  if (!guard) return null;
  switch (guard.kind) {
    case 'handoff_incomplete': {
      const deal = await reminderGuardState(db, guard.dealId);
      if (!deal) return 'the deal no longer exists';
      if (deal.complete) return 'the handoff was completed';
      if (deal.owner_user_id !== guard.ownerUserId) return 'the deal was reassigned';
      return null;
    }
    default:
      return null;
  }
}
