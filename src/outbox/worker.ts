import type { WebClient } from '@slack/web-api';
import { claimDueNotifications } from '../db/notifications.ts';
import type { Db } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import { type DeliveryContext, deliver } from './deliver.ts';
import { handleFailure } from './failures.ts';
import { createPacer } from './pacing.ts';
import type { DeliverySteps } from './steps.ts';

export interface WorkerDeps {
  db: Db;
  /** A client that rejects rate-limited calls instead of waiting (rejectRateLimitedCalls, no retries). */
  client: WebClient;
  logger: Logger;
  steps: DeliverySteps;
}

export interface WorkerOptions {
  pollMs?: number;
  batchSize?: number;
  /** Slack allows about one message per second per channel. */
  channelGapMs?: number;
  maxAttempts?: number;
}

export interface OutboxWorker {
  start(): void;
  /** Deliver now instead of at the next poll (call after committing new rows). */
  kick(): void;
  /** Claims one batch and delivers it; returns how many rows were claimed. */
  runOnce(): Promise<number>;
  /** Stops polling and waits for the delivery in progress. */
  stop(): Promise<void>;
}

/** How long a claimed row stays ours before another worker may assume we crashed. */
export const CLAIM_SECONDS = 60;

/** Claims due rows and delivers them one by one; a failure is handled row by row. */
function batchRunner(ctx: DeliveryContext, batchSize: number, maxAttempts: number): () => Promise<number> {
  return async () => {
    const rows = await claimDueNotifications(ctx.db, batchSize, CLAIM_SECONDS);
    for (const row of rows) {
      try {
        await deliver(ctx, row);
      } catch (error) {
        await handleFailure(ctx.db, ctx.log, row, error, maxAttempts);
      }
    }
    return rows.length;
  };
}

/** The delivery loop: polls every `pollMs`, at once when kicked, until stopped. */
export function createOutboxWorker(deps: WorkerDeps, options: WorkerOptions = {}): OutboxWorker {
  const log = deps.logger.child({ component: 'outbox' });
  const pollMs = options.pollMs ?? 500;
  const ctx: DeliveryContext = { ...deps, log, pacer: createPacer(options.channelGapMs ?? 1_000) };
  const runOnce = batchRunner(ctx, options.batchSize ?? 20, options.maxAttempts ?? 12);
  let stopping = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let kicked = false;
  const idle = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      wake = undefined;
    });
  const run = async () => {
    while (!stopping) {
      const claimed = await runOnce().catch((error: unknown) => {
        log.error({ err: error }, 'outbox poll failed');
        return 0;
      });
      if (claimed > 0 || stopping) continue;
      if (kicked) kicked = false;
      else await idle();
    }
  };
  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = run();
    },
    kick() {
      kicked = true;
      wake?.();
    },
    runOnce,
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      loop = undefined;
    },
  };
}
