import type { WebClient } from '@slack/web-api';
import { lockAccountThread } from '../db/accounts.ts';
import { clearMaybePosted, markFinal, markSent, pendingThreadRoots } from '../db/notifications.ts';
import type { Db, Notification, Queryable } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import { platformError } from '../slack/errors.ts';
import { findPosted, LookupNotAllowed, mayHaveReachedSlack, notificationMetadata } from '../slack/posted.ts';
import { OutcomeUnknown, SlackRefused } from './failures.ts';
import { mootReason } from './guards.ts';
import { Deferred, type Pacer } from './pacing.ts';
import { untilDue } from './roots.ts';
import type { DeliverySteps } from './steps.ts';
import { type Delivery, type Post, resolveTarget } from './targets.ts';

/** What delivering one row needs. */
export interface DeliveryContext {
  db: Db;
  /** A client that rejects rate-limited calls instead of waiting (rejectRateLimitedCalls, no retries). */
  client: WebClient;
  log: Logger;
  steps: DeliverySteps;
  pacer: Pacer;
}

/** Slack errors that mean a DM's recipient does not exist or cannot be written to. */
const UNREACHABLE = new Set([
  'channel_not_found',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'is_archived',
]);

/** Rethrows a Slack platform error with the conversation it was meant for (who to tell). */
function refusedAt(where: string): (error: unknown) => never {
  return (error) => {
    const code = platformError(error);
    throw code ? new SlackRefused(code, where, error) : error;
  };
}

/** Delivers one claimed row, or throws (Deferred to wait, anything else is a failed attempt). */
export async function deliver(ctx: DeliveryContext, row: Notification): Promise<void> {
  const { db, client, log } = ctx;
  const moot = await mootReason(db, row);
  if (moot) {
    await markFinal(db, row.id, 'cancelled', `moot: ${moot}`);
    log.info({ id: row.id, key: row.dedupe_key, reason: moot }, 'notification no longer needed');
    return;
  }
  const d = await resolveTarget(db, ctx.steps, row);
  switch (d.kind) {
    case 'cancel':
      await markFinal(db, row.id, 'cancelled', d.reason);
      log.info({ id: row.id, key: row.dedupe_key, reason: d.reason }, 'notification cancelled');
      return;
    case 'defer':
      throw new Deferred(d.ms, d.reason);
    case 'await_root':
      return awaitRoot(ctx, row, d.accountId);
    // Publishing a view and editing a message are idempotent: a retry does no harm, no look-up needed.
    case 'publish': {
      const view = await ctx.steps.renderHome(row.team_id, d.userId);
      await client.views.publish({ user_id: d.userId, view }).catch(refusedAt(d.userId));
      await markSent(db, row.id, d.userId, '');
      return;
    }
    case 'upload': {
      const fileId = await upload(client, d);
      // An upload's row records its file id where a message's records its ts.
      await markSent(db, row.id, '', fileId);
      return;
    }
    case 'update':
      ctx.pacer.take(d.channel);
      await client.chat
        .update({
          channel: d.channel,
          ts: d.ts,
          text: d.message.text,
          blocks: d.message.blocks ?? [],
        })
        .catch(refusedAt(d.channel));
      await markSent(db, row.id, d.channel, d.ts);
      return;
    case 'post': {
      if (d.rootOfAccount !== undefined) return startThread(ctx, row, d, d.rootOfAccount);
      const sent = await post(ctx, db, row, d);
      await markSent(db, row.id, sent.channel, sent.ts);
      return;
    }
  }
}

/**
 * Slack's external upload, as files.uploadV2 does it: an upload URL for the file, its bytes POSTed
 * there, then completing it without a channel (the file stays private to the app until a message
 * shows it in a `slack_file` image block). A retry after a lost answer uploads a new file; the one
 * left behind is never shown.
 */
async function upload(client: WebClient, d: Extract<Delivery, { kind: 'upload' }>): Promise<string> {
  const url = await client.files
    .getUploadURLExternal({ filename: d.filename, length: d.bytes.length })
    .catch(refusedAt('files'));
  if (!url.upload_url || !url.file_id) throw new Error('files.getUploadURLExternal gave no upload URL');
  const sent = await fetch(url.upload_url, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: new Uint8Array(d.bytes),
    signal: AbortSignal.timeout(30_000),
  });
  if (!sent.ok) throw new Error(`the upload URL answered HTTP ${sent.status}`);
  await client.files
    .completeUploadExternal({ files: [{ id: url.file_id, title: d.title }] })
    .catch(refusedAt('files'));
  return url.file_id;
}

/**
 * A reply for an account thread that does not exist yet waits for the message that will start it;
 * when nothing queued will, the account's root message is queued first. A root that was given up
 * on fails the reply with it.
 */
async function awaitRoot(ctx: DeliveryContext, row: Notification, accountId: number): Promise<void> {
  const [first] = await pendingThreadRoots(ctx.db, row.team_id, accountId);
  if (first) throw new Deferred(untilDue(first), `waiting for the root of account ${accountId}'s thread`);
  if (await ctx.steps.threadRootNeeded(row.team_id, accountId))
    throw new Deferred(250, `queued the root of account ${accountId}'s thread first`);
  await markFinal(ctx.db, row.id, 'failed', `the thread of account ${accountId} could not be started`);
  ctx.log.error({ id: row.id, key: row.dedupe_key, accountId }, 'notification could not be delivered');
}

/**
 * The first message of an account's thread: the account is held so that two workers cannot both
 * start a thread, and only the oldest message queued to start it may (a root first, always);
 * whoever comes later finds the thread and replies in it, or waits.
 */
async function startThread(
  ctx: DeliveryContext,
  row: Notification,
  d: Post,
  accountId: number,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const account = await lockAccountThread(trx, accountId);
    const exists = account.thread_channel && account.thread_ts;
    if (exists && d.rootOnly) return markFinal(trx, row.id, 'cancelled', 'the account already has a thread');
    if (!exists) {
      const [first] = await pendingThreadRoots(trx, row.team_id, accountId);
      if (first && first.id !== row.id)
        throw new Deferred(untilDue(first), `waiting for an earlier root of account ${accountId}'s thread`);
    }
    const sent = await post(
      ctx,
      trx,
      row,
      exists ? { ...d, channel: account.thread_channel as string, threadTs: account.thread_ts as string } : d,
    );
    if (!exists) await ctx.steps.threadStarted(trx, accountId, sent.channel, sent.ts);
    await markSent(trx, row.id, sent.channel, sent.ts);
  });
}

/**
 * When an earlier attempt may have reached Slack, the message it posted, found by its dedupe key
 * in the conversation it went to; null when it is not there (the row then stops being suspect).
 */
async function earlierPost(
  ctx: DeliveryContext,
  q: Queryable,
  row: Notification,
  d: Post,
): Promise<{ channel: string; ts: string } | null> {
  const since = row.first_attempt_at ?? row.created_at;
  try {
    const found = await findPosted(ctx.client, {
      channel: d.channel,
      threadTs: d.threadTs,
      key: row.dedupe_key,
      since,
    });
    if (found) {
      ctx.log.info(
        { id: row.id, key: row.dedupe_key, ...found },
        'an earlier attempt had posted it: recorded',
      );
      return found;
    }
  } catch (error) {
    if (!(error instanceof LookupNotAllowed)) throw error;
    ctx.log.warn({ id: row.id, key: row.dedupe_key, scope: error.scope }, error.message);
  }
  await clearMaybePosted(q, row.id);
  return null;
}

/** Posts the message (or its fallback when the recipient cannot be reached); returns where it landed. */
async function post(
  ctx: DeliveryContext,
  q: Queryable,
  row: Notification,
  d: Post,
): Promise<{ channel: string; ts: string }> {
  ctx.pacer.take(d.channel);
  if (row.maybe_posted) {
    const found = await earlierPost(ctx, q, row, d);
    if (found) return found;
  }
  await d.before?.();
  let result: Awaited<ReturnType<WebClient['chat']['postMessage']>>;
  try {
    result = await ctx.client.chat.postMessage({
      channel: d.channel,
      text: d.message.text,
      blocks: d.message.blocks,
      ...(d.threadTs ? { thread_ts: d.threadTs } : {}),
      metadata: notificationMetadata(row.dedupe_key),
      unfurl_links: false,
      unfurl_media: false,
    });
  } catch (error) {
    if (mayHaveReachedSlack(error)) throw new OutcomeUnknown(error);
    const code = platformError(error);
    if (!d.ifUndeliverable || !code || !UNREACHABLE.has(code)) return refusedAt(d.channel)(error);
    ctx.log.warn(
      { id: row.id, key: row.dedupe_key, channel: d.channel, code },
      'recipient unreachable: posting the fallback',
    );
    return post(ctx, q, row, d.ifUndeliverable);
  }
  return { channel: result.channel ?? d.channel, ts: result.ts ?? '' };
}
