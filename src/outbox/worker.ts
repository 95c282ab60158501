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

/**
 * Which rows may be delivered, and with which token: each row goes out with its own workspace's
 * client, one that rejects rate-limited calls instead of waiting (rejectRateLimitedCalls, no retries).
 */
export interface DeliveryClients {
  /** The workspaces whose rows may be claimed now (multi-workspace mode); undefined: every row. */
  teams(): Promise<readonly string[] | undefined>;
  /** The workspace's delivery client; null when it is not installed (its rows wait). */
  clientFor(teamId: string): Promise<WebClient | null>;
  /** True when each workspace has a token of its own (a rejected token pauses that workspace only). */
  readonly perWorkspace: boolean;
}

/** One client for every row: single-workspace mode, and tests that hand the worker a client. */
export function oneClient(client: WebClient): DeliveryClients {
  return { teams: async () => undefined, clientFor: async () => client, perWorkspace: false };
}

export interface WorkerDeps {
  db: Db;
  clients: DeliveryClients;
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
  /** Why nothing can be delivered now (Slack rejects SLACK_BOT_TOKEN), or null; null in multi-workspace mode. */
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

/** The token gates: one for SLACK_BOT_TOKEN, or one per workspace. */
interface Gates {
  /** The workspaces to claim rows for (undefined: all), none whose token is paused. */
  claimable(): Promise<readonly string[] | undefined | null>;
  of(teamId: string): TokenGate;
  problem(): string | null;
}

function tokenGates(
  clients: DeliveryClients,
  make: (clientOf: () => Promise<WebClient | null>, teamId?: string) => TokenGate,
): Gates {
  if (!clients.perWorkspace) {
    const gate = make(() => clients.clientFor(''));
    return {
      claimable: async () => ((await gate.works()) ? clients.teams() : null),
      of: () => gate,
      problem: () => gate.problem(),
    };
  }
  const gates = new Map<string, TokenGate>();
  const of = (teamId: string): TokenGate => {
    let gate = gates.get(teamId);
    if (!gate) {
      gate = make(() => clients.clientFor(teamId), teamId);
      gates.set(teamId, gate);
    }
    return gate;
  };
  return {
    async claimable() {
      const teams = await clients.teams();
      if (teams === undefined) return undefined;
      const open: string[] = [];
      for (const team of teams) if (await of(team).works()) open.push(team);
      return open;
    },
    of,
    // One workspace's dead token pauses that workspace only (and is logged): the app stays ready.
    problem: () => null,
  };
}

/**
 * Claims due rows and delivers them one by one, each with its own workspace's token; a failure is
 * handled row by row. While Slack rejects a token nothing of its workspace is claimed, and a batch
 * that meets the rejection gives that workspace's rows back. Rows of a workspace that is not
 * installed (any more) are not claimed: they wait for a reinstall.
 */
function batchRunner(
  ctx: Omit<DeliveryContext, 'client'> & { clients: DeliveryClients },
  gates: Gates,
  batchSize: number,
  maxAttempts: number,
): () => Promise<number> {
  return async () => {
    const teams = await gates.claimable();
    if (teams === null) return 0;
    const rows = await claimDueNotifications(ctx.db, batchSize, CLAIM_SECONDS, teams);
    const claimedAt = Date.now();
    // Workspaces whose token was refused in this batch (one key for all in single-workspace mode).
    const givenBack = new Set<string>();
    const keyOf = (row: Notification) => (ctx.clients.perWorkspace ? row.team_id : '*');
    for (const row of rows) {
      if (givenBack.has(keyOf(row))) {
        await releaseClaims(ctx.db, [row.id]);
        continue;
      }
      const stale = Date.now() - claimedAt > (CLAIM_SECONDS * 1000) / 3;
      if (stale && !(await renewClaim(ctx.db, row.id, row.attempts, CLAIM_SECONDS))) continue;
      const client = await ctx.clients.clientFor(row.team_id).catch((error: unknown) => {
        // Its token cannot be opened (ENCRYPTION_KEY lost the key that sealed it): the others go on.
        ctx.log.error({ err: error, team: row.team_id }, 'no client for a workspace: its rows wait');
        return null;
      });
      if (!client) {
        // Uninstalled since the claim, or no client now: the row waits.
        givenBack.add(keyOf(row));
        await releaseClaims(ctx.db, [row.id]);
        continue;
      }
      const rowCtx: DeliveryContext = { ...ctx, client };
      try {
        await deliver(rowCtx, row);
      } catch (error) {
        if (await gates.of(row.team_id).rejected(error)) {
          givenBack.add(keyOf(row));
          await releaseClaims(ctx.db, [row.id]);
          continue;
        }
        // Refusals worth a notice are final: the notice is queued before the row leaves `sending`.
        if (error instanceof SlackRefused) await reportRefusal(rowCtx, row, error);
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
  const ctx = { ...deps, log, pacer: createPacer(options.channelGapMs ?? 1_000) };
  const gates = tokenGates(deps.clients, (clientOf, teamId) =>
    // The token gauge speaks of SLACK_BOT_TOKEN: per-workspace gates only log.
    createTokenGate(
      clientOf,
      log,
      teamId === undefined ? options.metrics : undefined,
      options.tokenCheckMs ?? 30_000,
      teamId,
    ),
  );
  const runOnce = batchRunner(ctx, gates, options.batchSize ?? 20, options.maxAttempts ?? 12);
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
    slackProblem: () => gates.problem(),
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      loop = undefined;
    },
  };
}
