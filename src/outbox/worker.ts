import type { HomeView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Kysely, Transaction } from 'kysely';
import { setAccountThread } from '../db/accounts.ts';
import { getDeal, setDealOwner } from '../db/deals.ts';
import { findPersonByEmail, upsertPerson } from '../db/people.ts';
import type { Database, Notification } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import { platformError } from '../slack/errors.ts';
import {
  claimDue,
  findByKey,
  type Guard,
  markFinal,
  markSent,
  type OutMessage,
  reschedule,
  type Target,
} from './outbox.ts';

export interface WorkerDeps {
  db: Kysely<Database>;
  /** A client that rejects rate-limited calls instead of waiting (rejectRateLimitedCalls, no retries). */
  client: WebClient;
  logger: Logger;
  /** Renders a user's App Home at delivery time (for `home` targets). */
  renderHome?: (teamId: string, userId: string) => Promise<HomeView>;
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

/** Slack errors worth trying again; any other platform error is final for that row. */
const TRANSIENT = new Set([
  'ratelimited',
  'service_unavailable',
  'internal_error',
  'fatal_error',
  'request_timeout',
  'team_added_to_org',
]);

/** Slack errors that mean a DM's recipient does not exist or cannot be written to. */
const UNREACHABLE = new Set([
  'channel_not_found',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'is_archived',
]);

type Delivery =
  | {
      kind: 'post';
      channel: string;
      threadTs?: string;
      message: OutMessage;
      rootOfAccount?: number;
      rootOnly?: boolean;
      /** Runs just before this post (bookkeeping that belongs to it). */
      before?: () => Promise<void>;
      /** Sent instead when Slack says the channel or user cannot be reached (a DM to someone gone). */
      ifUndeliverable?: Extract<Delivery, { kind: 'post' }>;
    }
  | { kind: 'update'; channel: string; ts: string; message: OutMessage }
  | { kind: 'publish'; userId: string }
  | { kind: 'defer'; ms: number; reason: string }
  | { kind: 'cancel'; reason: string };

class Deferred extends Error {
  readonly ms: number;
  constructor(ms: number, reason: string) {
    super(reason);
    this.ms = ms;
  }
}

export function createOutboxWorker(deps: WorkerDeps, options: WorkerOptions = {}): OutboxWorker {
  const { db, client } = deps;
  const log = deps.logger.child({ component: 'outbox' });
  const pollMs = options.pollMs ?? 500;
  const batchSize = options.batchSize ?? 20;
  const channelGapMs = options.channelGapMs ?? 1_000;
  const maxAttempts = options.maxAttempts ?? 12;
  const lastPostAt = new Map<string, number>();

  let running = false;
  let stopping = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let kicked = false;

  async function resolve(row: Notification): Promise<Delivery> {
    const target = row.target as Target;
    const message = row.message as OutMessage;
    switch (target.kind) {
      case 'channel':
        return { kind: 'post', channel: target.channel, threadTs: target.threadTs, message };
      case 'user':
        return { kind: 'post', channel: target.userId, message };
      case 'account_thread': {
        const account = await db
          .selectFrom('accounts')
          .select(['id', 'thread_channel', 'thread_ts'])
          .where('id', '=', target.accountId)
          .executeTakeFirst();
        if (!account) return { kind: 'cancel', reason: 'account no longer exists' };
        if (account.thread_channel && account.thread_ts) {
          if (target.rootOnly) return { kind: 'cancel', reason: 'the account already has a thread' };
          return { kind: 'post', channel: account.thread_channel, threadTs: account.thread_ts, message };
        }
        return {
          kind: 'post',
          channel: target.channel,
          message,
          rootOfAccount: account.id,
          rootOnly: target.rootOnly,
        };
      }
      case 'deal_owner': {
        const owner = await resolveDealOwner(row.team_id, target.dealId);
        if (owner === 'gone') return { kind: 'cancel', reason: 'deal no longer exists' };
        if (owner === null) return fallbackPost(row, target);
        return { kind: 'post', channel: owner, message, ifUndeliverable: fallbackPost(row, target) };
      }
      case 'home':
        return { kind: 'publish', userId: target.userId };
      case 'update': {
        const original = await findByKey(db, row.team_id, target.of);
        if (!original || original.status === 'failed' || original.status === 'cancelled') {
          return { kind: 'cancel', reason: `the message to update (${target.of}) was never delivered` };
        }
        if (original.status !== 'sent' || !original.channel || !original.ts) {
          return { kind: 'defer', ms: 1_000, reason: `waiting for ${target.of} to be delivered` };
        }
        return { kind: 'update', channel: original.channel, ts: original.ts, message };
      }
    }
  }

  /** The deal-closed notice for finance when the rep cannot be reached: no owner, no DM to edit later. */
  function fallbackPost(
    row: Notification,
    target: Extract<Target, { kind: 'deal_owner' }>,
  ): Extract<Delivery, { kind: 'post' }> {
    return {
      kind: 'post',
      channel: target.fallback.channel,
      message: target.fallback.message,
      before: () =>
        db
          .updateTable('deals')
          // Nobody in Slack to own it: the notice's "I own this deal" button lets the right rep take it.
          .set({ dm_key: null, owner_user_id: null })
          .where('id', '=', target.dealId)
          .where('dm_key', '=', row.dedupe_key)
          .execute()
          .then(() => undefined),
    };
  }

  /** The owning rep's user id, null when no Slack user matches, 'gone' when the deal was deleted. */
  async function resolveDealOwner(teamId: string, dealId: number): Promise<string | null | 'gone'> {
    const deal = await getDeal(db, teamId, dealId);
    if (!deal) return 'gone';
    if (deal.owner_user_id) return deal.owner_user_id;
    if (!deal.owner_email) return null;
    let userId = (await findPersonByEmail(db, teamId, deal.owner_email))?.user_id;
    if (!userId) {
      try {
        const found = await client.users.lookupByEmail({ email: deal.owner_email });
        const user = found.user;
        if (!user?.id) return null;
        userId = user.id;
        await upsertPerson(db, teamId, {
          userId,
          email: deal.owner_email,
          name: user.real_name ?? user.name ?? null,
          tz: user.tz ?? null,
        });
      } catch (error) {
        if (platformError(error) === 'users_not_found') return null;
        throw error;
      }
    }
    await setDealOwner(db, dealId, userId);
    await db
      .updateTable('accounts')
      .set({ owner_user_id: userId })
      .where('id', '=', deal.account_id)
      .where('owner_user_id', 'is', null)
      .execute();
    return userId;
  }

  function pace(channel: string): void {
    const last = lastPostAt.get(channel);
    const wait = last === undefined ? 0 : last + channelGapMs - Date.now();
    if (wait > 0) throw new Deferred(wait, `pacing channel ${channel}`);
  }

  async function post(
    trx: Kysely<Database> | Transaction<Database>,
    row: Notification,
    d: Extract<Delivery, { kind: 'post' }>,
  ) {
    pace(d.channel);
    lastPostAt.set(d.channel, Date.now());
    await d.before?.();
    let result: Awaited<ReturnType<typeof client.chat.postMessage>>;
    try {
      result = await client.chat.postMessage({
        channel: d.channel,
        text: d.message.text,
        blocks: d.message.blocks,
        ...(d.threadTs ? { thread_ts: d.threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
    } catch (error) {
      const code = platformError(error);
      if (d.ifUndeliverable && code && UNREACHABLE.has(code)) {
        log.warn(
          { id: row.id, key: row.dedupe_key, channel: d.channel, code },
          'recipient unreachable: posting the fallback',
        );
        return post(trx, row, d.ifUndeliverable);
      }
      throw error;
    }
    const channel = result.channel ?? d.channel;
    const ts = result.ts ?? '';
    if (d.rootOfAccount !== undefined) await setAccountThread(trx, d.rootOfAccount, channel, ts);
    await markSent(trx, row.id, channel, ts);
  }

  /** Why the row's message became moot, or null when it should still go out. */
  async function mootReason(row: Notification): Promise<string | null> {
    const guard = row.guard as Guard | null;
    if (!guard) return null;
    switch (guard.kind) {
      case 'handoff_incomplete': {
        const deal = await db
          .selectFrom('deals')
          .leftJoin('handoffs', 'handoffs.deal_id', 'deals.id')
          .select(['deals.owner_user_id', 'handoffs.complete'])
          .where('deals.id', '=', guard.dealId)
          .executeTakeFirst();
        if (!deal) return 'the deal no longer exists';
        if (deal.complete) return 'the handoff was completed';
        if (deal.owner_user_id !== guard.ownerUserId) return 'the deal was reassigned';
        return null;
      }
      default:
        return null;
    }
  }

  async function deliver(row: Notification): Promise<void> {
    const moot = await mootReason(row);
    if (moot) {
      await markFinal(db, row.id, 'cancelled', `moot: ${moot}`);
      log.info({ id: row.id, key: row.dedupe_key, reason: moot }, 'notification no longer needed');
      return;
    }
    const d = await resolve(row);
    switch (d.kind) {
      case 'cancel':
        await markFinal(db, row.id, 'cancelled', d.reason);
        log.info({ id: row.id, key: row.dedupe_key, reason: d.reason }, 'notification cancelled');
        return;
      case 'defer':
        throw new Deferred(d.ms, d.reason);
      case 'publish': {
        if (!deps.renderHome) {
          await markFinal(db, row.id, 'cancelled', 'no App Home renderer in this process');
          return;
        }
        const view = await deps.renderHome(row.team_id, d.userId);
        await client.views.publish({ user_id: d.userId, view });
        await markSent(db, row.id, d.userId, '');
        return;
      }
      case 'update': {
        pace(d.channel);
        lastPostAt.set(d.channel, Date.now());
        await client.chat.update({
          channel: d.channel,
          ts: d.ts,
          text: d.message.text,
          blocks: d.message.blocks ?? [],
        });
        await markSent(db, row.id, d.channel, d.ts);
        return;
      }
      case 'post': {
        if (d.rootOfAccount === undefined) return post(db, row, d);
        // The first message of an account's thread: hold the account so that two workers cannot
        // both start a thread; whoever comes second finds the thread and replies in it.
        await db.transaction().execute(async (trx) => {
          const account = await trx
            .selectFrom('accounts')
            .select(['thread_channel', 'thread_ts'])
            .where('id', '=', d.rootOfAccount as number)
            .forUpdate()
            .executeTakeFirstOrThrow();
          if (account.thread_channel && account.thread_ts) {
            if (d.rootOnly) {
              await markFinal(trx, row.id, 'cancelled', 'the account already has a thread');
              return;
            }
            return post(trx, row, {
              ...d,
              channel: account.thread_channel,
              threadTs: account.thread_ts,
              rootOfAccount: undefined,
            });
          }
          return post(trx, row, d);
        });
        return;
      }
    }
  }

  async function handleFailure(row: Notification, error: unknown): Promise<void> {
    if (error instanceof Deferred) {
      await db
        .updateTable('notifications')
        .set((eb) => ({ attempts: eb('attempts', '-', 1) }))
        .where('id', '=', row.id)
        .execute();
      await reschedule(db, row.id, new Date(Date.now() + error.ms), row.last_error);
      return;
    }
    const code = (error as { code?: string }).code;
    if (code === 'slack_webapi_rate_limited_error') {
      const retryAfter = Number((error as { retryAfter?: number }).retryAfter ?? 1);
      log.warn(
        { id: row.id, key: row.dedupe_key, retryAfter },
        'Slack rate limit: retrying after Retry-After',
      );
      await reschedule(db, row.id, new Date(Date.now() + retryAfter * 1_000), 'ratelimited');
      return;
    }
    const platform = platformError(error);
    const reason = platform ?? (error instanceof Error ? error.message : String(error));
    if ((platform && !TRANSIENT.has(platform)) || row.attempts >= maxAttempts) {
      await markFinal(db, row.id, 'failed', reason);
      log.error(
        { id: row.id, key: row.dedupe_key, reason, attempts: row.attempts },
        'notification could not be delivered',
      );
      return;
    }
    const backoffMs = Math.min(2 ** (row.attempts - 1) * 1_000, 5 * 60_000) * (1 + Math.random() * 0.25);
    log.warn(
      { id: row.id, key: row.dedupe_key, reason, attempts: row.attempts, backoffMs },
      'delivery failed: will retry',
    );
    await reschedule(db, row.id, new Date(Date.now() + backoffMs), reason);
  }

  async function runOnce(): Promise<number> {
    const rows = await claimDue(db, batchSize);
    for (const row of rows) {
      try {
        await deliver(row);
      } catch (error) {
        await handleFailure(row, error);
      }
    }
    return rows.length;
  }

  async function run(): Promise<void> {
    while (!stopping) {
      let claimed = 0;
      try {
        claimed = await runOnce();
      } catch (error) {
        log.error({ err: error }, 'outbox poll failed');
      }
      if (claimed > 0 || stopping) continue;
      if (kicked) {
        kicked = false;
        continue;
      }
      await new Promise<void>((resolveWait) => {
        const timer = setTimeout(resolveWait, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolveWait();
        };
      });
      wake = undefined;
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
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
      running = false;
    },
  };
}
