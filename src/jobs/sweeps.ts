import { performance } from 'node:perf_hooks';
import { pruneNotifications } from '../db/notifications.ts';
import { forgetSeenBefore } from '../db/seen-requests.ts';
import { refreshUsergroups } from '../flows/workspace-settings.ts';
import type { Metrics } from '../metrics.ts';
import { runAskSweep } from './asks.ts';
import { runDigestSweep } from './digest.ts';
import { runHandoffNagSweep, type SweepDeps } from './handoff-nags.ts';
import { runPastDueSweep } from './past-due.ts';

export type { SweepDeps } from './handoff-nags.ts';

const DAY_MS = 86_400_000;

/**
 * Forgets what is no longer needed, on the wall clock (not the sweep's `now`, which tests and
 * catch-up runs move around): outbox rows done for OUTBOX_RETENTION_DAYS, and request and event
 * ids seen more than SEEN_EVENTS_RETENTION_DAYS ago (Slack retries an event within minutes, a
 * webhook sender for up to three days).
 */
export async function runHousekeeping(deps: Pick<SweepDeps, 'db' | 'config'>): Promise<{ pruned: number }> {
  const { config } = deps;
  const pruned = await pruneNotifications(
    deps.db,
    new Date(Date.now() - config.OUTBOX_RETENTION_DAYS * DAY_MS),
  );
  await forgetSeenBefore(deps.db, new Date(Date.now() - config.SEEN_EVENTS_RETENTION_DAYS * DAY_MS));
  return { pruned };
}

/** Runs one sweep, telling `metrics` how long it took and what it did. */
async function timed<T extends Record<string, unknown>>(
  name: string,
  metrics: Pick<Metrics, 'sweep'> | undefined,
  run: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const result = await run();
    metrics?.sweep(name, seconds(), true, result);
    return result;
  } catch (error) {
    metrics?.sweep(name, seconds(), false);
    throw error;
  }
}

type Counts = Record<string, number>;

/**
 * Runs a sweep for every workspace served: once over all rows in single-workspace mode (as it
 * always did), once per installed workspace in multi-workspace mode, so that a workspace that
 * uninstalled the app is skipped (nothing is queued for it, none of its people is looked up).
 */
async function perWorkspace<T extends Counts>(
  deps: SweepDeps,
  teams: ReadonlyArray<string | undefined>,
  run: (teamId: string | undefined) => Promise<T>,
): Promise<T> {
  const total: Counts = {};
  for (const teamId of teams) {
    const counts = await run(teamId).catch((error: unknown) => {
      // One workspace's failure (its token revoked meanwhile) does not stop the others'.
      if (teams.length === 1) throw error;
      deps.logger.error({ err: error, team: teamId }, 'a workspace’s sweep failed');
      return {} as T;
    });
    for (const [k, v] of Object.entries(counts)) total[k] = (total[k] ?? 0) + v;
  }
  return total as T;
}

/** Every scheduled sweep, in order; each is idempotent, so replicas may run them at the same time. */
export async function runSweeps(
  deps: SweepDeps,
  now: Date,
  metrics?: Pick<Metrics, 'sweep'>,
): Promise<Record<string, unknown>> {
  // AR user groups first: who counts as AR staff decides who hears about what.
  const usergroups = await timed('usergroups', metrics, async () => ({
    refreshed: await refreshUsergroups(deps),
  }));
  const teams = deps.workspaces.multi ? await deps.workspaces.teamIds() : [undefined];
  const handoffs = await timed('handoff_nags', metrics, () =>
    perWorkspace(deps, teams, (t) => runHandoffNagSweep(deps, now, t)),
  );
  const invoices = await timed('past_due', metrics, () =>
    perWorkspace(deps, teams, (t) => runPastDueSweep(deps, now, t)),
  );
  const asks = await timed('asks', metrics, () =>
    perWorkspace(deps, teams, (t) => runAskSweep(deps, now, t)),
  );
  const digests = await timed('digests', metrics, () => runDigestSweep(deps, now));
  const housekeeping = await timed('housekeeping', metrics, () => runHousekeeping(deps));
  return { usergroups, handoffs, invoices, asks, digests, housekeeping };
}
