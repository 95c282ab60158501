import { systemClock } from '../clock.ts';
import { nextPendingAt } from '../db/notifications.ts';
import { createDeliveryWorker } from '../flows/delivery.ts';
import { runSweeps } from '../jobs/sweeps.ts';
import { parseCommandLine } from './args.ts';
import { openCliContext } from './context.ts';

/**
 * npm run sweep: runs every sweep once, now, then delivers what it queued. Safe beside running
 * bots on PostgreSQL (the sweeps are idempotent); the embedded database allows one process only.
 */
parseCommandLine(
  `usage: npm run sweep
  Runs every sweep once, now (reminders, past-due pings, credit hold, housekeeping), then delivers
  what it queued that comes due within a minute. Prints the counts as JSON.
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
  const outbox = createDeliveryWorker(
    { db: ctx.database.db, config: ctx.config, clock: systemClock, logger: ctx.logger },
    await ctx.workspaces(),
  );
  // Deliver what is due now, and what was held back briefly (per-channel pacing, Retry-After)
  // as long as it comes due within a minute; anything later is left to the running bot.
  const deadline = Date.now() + 60_000;
  let delivered = 0;
  for (;;) {
    const claimed = await outbox.runOnce();
    delivered += claimed;
    const problem = outbox.slackProblem();
    if (problem) {
      process.stderr.write(`${problem}\n`);
      process.exitCode = 1;
      break;
    }
    if (claimed > 0) continue;
    const at = (await nextPendingAt(ctx.database.db))?.getTime() ?? null;
    if (at === null || at > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.max(50, at - Date.now())));
  }
  process.stdout.write(`${JSON.stringify({ ...result, deliveryAttempts: delivered })}\n`);
} finally {
  await ctx.close();
}
