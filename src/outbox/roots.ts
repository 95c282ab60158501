import type { ThreadRootCandidate } from '../db/notifications.ts';

/** How long a message waiting for a thread root waits before looking again: until the root is due. */
export function untilDue(root: ThreadRootCandidate, now = Date.now()): number {
  const due = root.status === 'sending' ? root.claimed_until : root.next_attempt_at;
  const ms = due ? new Date(due).getTime() - now : 0;
  return Math.min(Math.max(ms, 250), 30_000);
}
