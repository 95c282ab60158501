import { runHandoffNagSweep, type SweepDeps } from './handoff-nags.ts';
import { runPastDueSweep } from './past-due.ts';

export type { SweepDeps } from './handoff-nags.ts';

/** Every scheduled sweep, in order; each is idempotent, so replicas may run them at the same time. */
export async function runSweeps(deps: SweepDeps, now: Date): Promise<Record<string, unknown>> {
  const handoffs = await runHandoffNagSweep(deps, now);
  const invoices = await runPastDueSweep(deps, now);
  return { handoffs, invoices };
}
