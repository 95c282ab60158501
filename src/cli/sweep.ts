import { systemClock } from '../clock.ts';
import { renderHome } from '../flows/home.ts';
import { runSweeps } from '../jobs/sweeps.ts';
import { createOutboxWorker } from '../outbox/worker.ts';
import { createSlackClient } from '../slack/client.ts';
import { openCliContext } from './context.ts';

/**
 * npm run sweep: runs every sweep once, now, then delivers what it queued. Safe beside running
 * bots on PostgreSQL (the sweeps are idempotent); the embedded database allows one process only.
 */
const ctx = await openCliContext();
try {
  const result = await runSweeps(
    {
      db: ctx.database.db,
      config: ctx.config,
      logger: ctx.logger,
      slack: ctx.slack,
      notify: () => {},
      clock: systemClock,
    },
    systemClock.now(),
  );
  const outbox = createOutboxWorker({
    db: ctx.database.db,
    client: createSlackClient(ctx.config, 'delivery', ctx.logger),
    logger: ctx.logger,
    renderHome: (teamId, userId) =>
      renderHome({ db: ctx.database.db, config: ctx.config, clock: systemClock }, teamId, userId),
  });
  // Deliver what is due now, and what was held back briefly (per-channel pacing, Retry-After)
  // as long as it comes due within a minute; anything later is left to the running bot.
  const deadline = Date.now() + 60_000;
  let delivered = 0;
  for (;;) {
    const claimed = await outbox.runOnce();
    delivered += claimed;
    if (claimed > 0) continue;
    const next = await ctx.database.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('status', '=', 'pending')
      .executeTakeFirst();
    const at = next?.at ? new Date(next.at as Date).getTime() : null;
    if (at === null || at > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.max(50, at - Date.now())));
  }
  process.stdout.write(`${JSON.stringify({ ...result, deliveryAttempts: delivered })}\n`);
} finally {
  await ctx.close();
}
