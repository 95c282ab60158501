import type { ThreadRootCandidate } from '../db/notifications.ts';

/**
 * How long a message waiting for a thread root waits before looking again. A root being sent now
 * is usually done within a second, so look again soon (its claim's end says nothing about when);
 * a root waiting for its next attempt is looked at when it is due.
 */
export function untilDue(root: ThreadRootCandidate, now = Date.now()): number {
  if (root.status === 'sending') return 500;
  const ms = root.next_attempt_at ? new Date(root.next_attempt_at).getTime() - now : 0;
  return Math.min(Math.max(ms, 250), 30_000);
}
