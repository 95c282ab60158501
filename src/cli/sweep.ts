import { WebClient } from '@slack/web-api';
import { deliveryClientOptions } from '../app.ts';
import { renderHome } from '../flows/home.ts';
import { runSweeps } from '../jobs/sweeps.ts';
import { createOutboxWorker } from '../outbox/worker.ts';
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
    },
    new Date(),
  );
  const outbox = createOutboxWorker({
    db: ctx.database.db,
    client: new WebClient(ctx.config.SLACK_BOT_TOKEN, deliveryClientOptions(ctx.config.SLACK_API_URL)),
    logger: ctx.logger,
    renderHome: (teamId, userId) => renderHome({ db: ctx.database.db, config: ctx.config }, teamId, userId),
  });
  let delivered = 0;
  for (let claimed = await outbox.runOnce(); claimed > 0; claimed = await outbox.runOnce())
    delivered += claimed;
  process.stdout.write(`${JSON.stringify({ ...result, deliveryAttempts: delivered })}\n`);
} finally {
  await ctx.close();
}
