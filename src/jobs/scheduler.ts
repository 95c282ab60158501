import cron, { type ScheduledTask } from 'node-cron';
import type { Metrics } from '../metrics.ts';
import { runSweeps, type SweepDeps } from './sweeps.ts';

export interface Scheduler {
  /** Runs the sweeps shortly (coalescing bursts), as well as on schedule. */
  runSoon(): void;
  stop(): Promise<void>;
}

/**
 * Runs the sweeps on SWEEP_CRON. A run that is still going when the next is due is skipped
 * (noOverlap); exactly-once comes from the sweeps themselves, not from the scheduler.
 */
export function startScheduler(deps: SweepDeps, metrics?: Pick<Metrics, 'sweep'>): Scheduler {
  const log = deps.logger.child({ component: 'scheduler' });
  let running: Promise<unknown> | undefined;
  let again = false;
  let soon: NodeJS.Timeout | undefined;
  let stopped = false;

  /** One sweep at a time in this process; a request during a run runs once more after it. */
  const sweep = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    do {
      again = false;
      running = runSweeps(deps, deps.clock.now(), metrics).catch((error: unknown) =>
        log.error({ err: error }, 'sweep failed'),
      );
      await running;
      running = undefined;
    } while (again && !stopped);
  };

  const task: ScheduledTask = cron.schedule(deps.config.SWEEP_CRON, sweep, {
    name: 'sweeps',
    noOverlap: true,
  });
  return {
    runSoon() {
      if (stopped) return;
      clearTimeout(soon);
      soon = setTimeout(() => void sweep(), 250);
    },
    async stop() {
      stopped = true;
      clearTimeout(soon);
      await task.stop();
      await task.destroy();
      await running;
    },
  };
}
