import cron, { type ScheduledTask } from 'node-cron';
import { runSweeps, type SweepDeps } from './sweeps.ts';

export interface Scheduler {
  stop(): Promise<void>;
}

/**
 * Runs the sweeps on SWEEP_CRON. A run that is still going when the next is due is skipped
 * (noOverlap); exactly-once comes from the sweeps themselves, not from the scheduler.
 */
export function startScheduler(deps: SweepDeps): Scheduler {
  const log = deps.logger.child({ component: 'scheduler' });
  let running: Promise<unknown> | undefined;
  const task: ScheduledTask = cron.schedule(
    deps.config.SWEEP_CRON,
    async () => {
      running = runSweeps(deps, new Date()).catch((error: unknown) =>
        log.error({ err: error }, 'sweep failed'),
      );
      await running;
      running = undefined;
    },
    { name: 'sweeps', noOverlap: true },
  );
  return {
    async stop() {
      await task.stop();
      await task.destroy();
      await running;
    },
  };
}
