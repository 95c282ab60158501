import type { WebClient } from '@slack/web-api';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { claimDueNotifications, releaseClaims, renewClaim } from '../db/notifications.ts';
import type { Db, Notification } from '../db/schema.ts';
import { classifySlackFailure } from '../domain/slack-failures.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { type DeliveryContext, deliver } from './deliver.ts';
import { handleFailure, SlackRefused } from './failures.ts';
import { createPacer } from './pacing.ts';
import type { DeliverySteps } from './steps.ts';
import { createTokenGate, type TokenGate } from './token.ts';

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
  /** While Slack rejects the token, how often auth.test is asked whether it works again. */
  tokenCheckMs?: number;
  metrics?: Pick<Metrics, 'slackToken'>;
}

export interface OutboxWorker {
  start(): void;
  /** Deliver now instead of at the next poll (call after committing new rows). */
  kick(): void;
  /** Claims one batch and delivers it; returns how many rows were claimed. */
  runOnce(): Promise<number>;
  /** Stops polling and waits for the delivery in progress. */
  stop(): Promise<void>;
  /** Why nothing can be delivered now (Slack rejects the token), or null. */
  slackProblem(): string | null;
}

/**
 * How long a claimed row stays ours before another worker may assume we died (and, since the
 * message may have reached Slack, looks for it before posting). Rows of a batch still waiting
 * their turn after a third of it are claimed again, one by one, so a slow batch is never taken over.
 */
export const CLAIM_SECONDS = 30;

/** A final refusal by Slack: whoever can fix it is told (once per channel or person and reason). */
async function reportRefusal(ctx: DeliveryContext, row: Notification, error: SlackRefused): Promise<void> {
  const failure = classifySlackFailure(error.where, error.data.error, true);
  if (!failure || failure.kind === 'token') return;
  await ctx.steps
    .undeliverable(row, failure)
    .catch((e: unknown) =>
      ctx.log.error({ err: e, id: row.id }, 'could not queue the notice about an undeliverable message'),
    );
}

/**
 * Claims due rows and delivers them one by one; a failure is handled row by row. While Slack
 * rejects the token nothing is claimed, and a batch that meets the rejection gives its rows back.
 */
function batchRunner(
  ctx: DeliveryContext,
  token: TokenGate,
  batchSize: number,
  maxAttempts: number,
): () => Promise<number> {
  return async () => {
    if (!(await token.works())) return 0;
    const rows = await claimDueNotifications(ctx.db, batchSize, CLAIM_SECONDS);
    const claimedAt = Date.now();
    for (const [i, row] of rows.entries()) {
      const stale = Date.now() - claimedAt > (CLAIM_SECONDS * 1000) / 3;
      if (stale && !(await renewClaim(ctx.db, row.id, row.attempts, CLAIM_SECONDS))) continue;
      try {
        await deliver(ctx, row);
      } catch (error) {
        if (await token.rejected(error)) {
          await releaseClaims(
            ctx.db,
            rows.slice(i).map((r) => r.id),
          );
          return rows.length;
        }
        // Refusals worth a notice are final: the notice is queued before the row leaves `sending`.
        if (error instanceof SlackRefused) await reportRefusal(ctx, row, error);
        await handleFailure(ctx.db, ctx.log, row, error, maxAttempts);
      }
    }
    return rows.length;
  };
}

/** The longest wait between polls while they keep failing. */
export const MAX_POLL_BACKOFF_MS = 30_000;

/** Wait after the n-th poll failure in a row: twice as long each time, up to 30 s, with up to 25% jitter. */
export function pollBackoffMs(pollMs: number, failures: number): number {
  return Math.min(pollMs * 2 ** failures, MAX_POLL_BACKOFF_MS) * (1 + Math.random() * 0.25);
}

/**
 * Poll failures come in runs (the database is down): the first is logged with its error, the
 * ones after it are not, and the first success after them says how long deliveries waited.
 */
function outageLog(log: Logger) {
  let since: number | undefined;
  return {
    failed(error: unknown) {
      if (since !== undefined) return;
      since = Date.now();
      log.error(
        { err: error },
        isDatabaseUnavailable(error)
          ? 'outbox paused: the database is unavailable; polling again with back-off'
          : 'outbox poll failed; polling again with back-off',
      );
    },
    succeeded() {
      if (since === undefined) return;
      log.info(
        { pausedSeconds: Math.round((Date.now() - since) / 1000) },
        'outbox resumed: polling works again',
      );
      since = undefined;
    },
  };
}

/** The delivery loop: polls every `pollMs`, at once when kicked, until stopped; backs off while polls fail. */
export function createOutboxWorker(deps: WorkerDeps, options: WorkerOptions = {}): OutboxWorker {
  const log = deps.logger.child({ component: 'outbox' });
  const pollMs = options.pollMs ?? 500;
  const ctx: DeliveryContext = { ...deps, log, pacer: createPacer(options.channelGapMs ?? 1_000) };
  const token = createTokenGate(deps.client, log, options.metrics, options.tokenCheckMs ?? 30_000);
  const runOnce = batchRunner(ctx, token, options.batchSize ?? 20, options.maxAttempts ?? 12);
  const outage = outageLog(log);
  let stopping = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let kicked = false;
  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      wake = undefined;
    });
  const run = async () => {
    let failures = 0;
    while (!stopping) {
      let claimed: number;
      try {
        claimed = await runOnce();
        failures = 0;
        outage.succeeded();
      } catch (error) {
        failures += 1;
        outage.failed(error);
        await idle(pollBackoffMs(pollMs, failures));
        continue;
      }
      if (claimed > 0 || stopping) continue;
      if (kicked) kicked = false;
      else await idle(pollMs);
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
    slackProblem: () => token.problem(),
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      loop = undefined;
    },
  };
}
