import type { Server } from 'node:http';
import type { App } from '@slack/bolt';
import { createApp } from './app.ts';
import { type Clock, systemClock } from './clock.ts';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/connect.ts';
import { POSTGRES_POOL_SIZE } from './db/connect.ts';
import { migrateOrThrow } from './db/migrate.ts';
import { outboxStats } from './db/notifications.ts';
import { warmStatusLookup } from './db/status.ts';
import type { Deps } from './deps.ts';
import { createDeliveryWorker } from './flows/delivery.ts';
import { type Scheduler, startScheduler } from './jobs/scheduler.ts';
import type { Logger } from './log.ts';
import { createMetrics } from './metrics.ts';
import type { OutboxWorker, WorkerOptions } from './outbox/worker.ts';
import type { SlackIdentity } from './slack/identity.ts';
import { createWorkspaces } from './slack/workspaces.ts';

export interface Running {
  deps: Deps;
  app: App;
  outbox: OutboxWorker;
  /** The HTTP server (HTTP mode), for its port. */
  server: Server | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  /** Single-workspace mode: who SLACK_BOT_TOKEN is (auth.test). Null in multi-workspace mode. */
  identity: SlackIdentity | null;
  outbox?: WorkerOptions;
  /** Run the sweeps on SWEEP_CRON (default); tests call them with a fixed `now` instead. */
  schedule?: boolean;
  /** Business time for flows, listeners and the scheduled sweeps; the system clock by default. */
  clock?: Clock;
}

/**
 * Migrates, builds the app and its outbox worker, and starts listening. Used by `npm start` and by
 * the end-to-end tests, so both run the same code.
 */
export async function startServer(options: StartOptions): Promise<Running> {
  const { config, database, logger, identity } = options;
  const clock = options.clock ?? systemClock;
  await migrateOrThrow(database.db);
  await warmStatusLookup(database.db, database.kind === 'postgres' ? POSTGRES_POOL_SIZE : 1);
  const metrics = createMetrics({ outbox: () => outboxStats(database.db) });
  const workspaces = createWorkspaces(config, database.db, identity, logger, metrics);
  const outbox = createDeliveryWorker({ db: database.db, config, clock, logger }, workspaces, {
    ...options.outbox,
    metrics,
  });
  let scheduler: Scheduler | undefined;
  const deps: Deps = {
    config,
    db: database.db,
    databaseKind: database.kind,
    logger,
    clock,
    workspaces,
    notify: () => outbox.kick(),
    sweepSoon: () => scheduler?.runSoon(),
    metrics,
    slackProblem: () => outbox.slackProblem(),
  };
  const app = createApp(deps, identity);
  const started = await app.start({ port: config.PORT, host: config.HOST });
  const server =
    started && typeof (started as Server).address === 'function' ? (started as Server) : undefined;
  if (server) metrics.observeHttp(server);
  outbox.start();
  scheduler = options.schedule === false ? undefined : startScheduler(deps, metrics);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await scheduler?.stop();
      await app.stop();
      await outbox.stop();
    })();
    return stopping;
  };
  return { deps, app, outbox, server, stop };
}
