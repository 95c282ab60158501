import { systemClock } from '../clock.ts';
import { runSweeps } from '../jobs/sweeps.ts';
import { parseCommandLine } from './args.ts';
import { deliverQueued, openCliContext } from './context.ts';

/**
 * npm run sweep: runs every sweep once, now, then delivers what it queued. Safe beside running
 * bots on PostgreSQL (the sweeps are idempotent); the embedded database allows one process only.
 */
parseCommandLine(
  `usage: npm run sweep
  Runs every sweep once, now (reminders, past-due pings, credit hold, asks, weekly digests that are
  due, housekeeping), then delivers what it queued that comes due within a minute. Prints the counts as JSON.
  With the embedded database, stop the bot first (one process per DATA_DIR).
`,
  {},
);
const ctx = await openCliContext();
try {
  const result = await runSweeps(
    {
      db: ctx.database.db,
      config: ctx.config,
      logger: ctx.logger,
      workspaces: await ctx.workspaces(),
      notify: () => {},
      clock: systemClock,
    },
    systemClock.now(),
  );
  const delivered = await deliverQueued(ctx);
  process.stdout.write(`${JSON.stringify({ ...result, deliveryAttempts: delivered })}\n`);
} finally {
  await ctx.close();
}
