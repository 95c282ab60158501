import { forgetSeenBefore } from '../db/seen-requests.ts';
import { runAskSweep } from './asks.ts';
import { runHandoffNagSweep, type SweepDeps } from './handoff-nags.ts';
import { runPastDueSweep } from './past-due.ts';

export type { SweepDeps } from './handoff-nags.ts';

/** Slack retries an event within minutes; event ids older than this are forgotten. */
const SEEN_REQUESTS_DAYS = 3;

/** Every scheduled sweep, in order; each is idempotent, so replicas may run them at the same time. */
export async function runSweeps(deps: SweepDeps, now: Date): Promise<Record<string, unknown>> {
  const handoffs = await runHandoffNagSweep(deps, now);
  const invoices = await runPastDueSweep(deps, now);
  const asks = await runAskSweep(deps, now);
  // Housekeeping on the wall clock (not the sweep's `now`, which tests and catch-up runs move around).
  await forgetSeenBefore(deps.db, new Date(Date.now() - SEEN_REQUESTS_DAYS * 86_400_000));
  return { handoffs, invoices, asks };
}
