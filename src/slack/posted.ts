import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { platformError } from './errors.ts';

/**
 * Every message the outbox posts carries its dedupe key in Slack message metadata, so that a post
 * whose answer was lost can be found again instead of being sent twice. Metadata is not shown to
 * anyone; `conversations.history` and `conversations.replies` return it with `include_all_metadata`.
 */
export const NOTIFICATION_EVENT_TYPE = 'ar_bridge_notification';

export function notificationMetadata(key: string): { event_type: string; event_payload: { key: string } } {
  return { event_type: NOTIFICATION_EVENT_TYPE, event_payload: { key } };
}

const withKey = z.object({
  ts: z.string(),
  metadata: z.object({
    event_type: z.literal(NOTIFICATION_EVENT_TYPE),
    event_payload: z.object({ key: z.string() }),
  }),
});

/** Slack's largest page for conversations.history and .replies for apps outside the Marketplace. */
export const LOOKUP_PAGE_SIZE = 15;
/** Pages read before giving up (newest first): the window since the first attempt is small. */
const MAX_PAGES = 20;
/** Slack's clock and the database's may differ: look a little before the first attempt. */
const CLOCK_MARGIN_MS = 2 * 60_000;

/** Answers that mean "nothing of ours can be there": the post would have failed the same way. */
const NOTHING_THERE = new Set([
  'channel_not_found',
  'not_in_channel',
  'thread_not_found',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'is_archived',
]);

export interface PostedLookup {
  /** Where the post went: a channel id, or a user id for a DM (looked up in the IM channel). */
  channel: string;
  /** For a reply: the thread it went into (looked up among the thread's replies). */
  threadTs?: string;
  /** The dedupe key the message carries in its metadata. */
  key: string;
  /** When the first attempt was made. */
  since: Date;
}

export type Found = { channel: string; ts: string } | null;

/** The look-up cannot be made: the app was installed without a scope it needs (a reinstall adds it). */
export class LookupNotAllowed extends Error {
  readonly scope: string;
  constructor(scope: string) {
    super(`looking for an earlier post needs the ${scope} scope: reinstall the app from manifest.yml`);
    this.scope = scope;
  }
}

function slackTs(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(6);
}

async function conversationOf(client: WebClient, channel: string): Promise<string | null> {
  if (!/^[UW]/.test(channel)) return channel;
  const opened = await client.conversations.open({ users: channel, return_im: false });
  return opened.channel?.id ?? null;
}

async function search(client: WebClient, lookup: PostedLookup, channel: string): Promise<Found> {
  const oldest = slackTs(lookup.since.getTime() - CLOCK_MARGIN_MS);
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const common = { channel, oldest, limit: LOOKUP_PAGE_SIZE, include_all_metadata: true, cursor };
    const answer = lookup.threadTs
      ? await client.conversations.replies({ ...common, ts: lookup.threadTs })
      : await client.conversations.history(common);
    for (const message of answer.messages ?? []) {
      const parsed = withKey.safeParse(message);
      if (parsed.success && parsed.data.metadata.event_payload.key === lookup.key)
        return { channel, ts: parsed.data.ts };
    }
    cursor = answer.response_metadata?.next_cursor || undefined;
    if (!cursor) return null;
  }
  return null;
}

/**
 * The message carrying `key` that an earlier attempt posted, if it is there: read from the
 * conversation it went to, newest first from the first attempt on, in pages of 15. A rate-limited
 * read throws (the caller waits Retry-After and looks again; it never posts blindly).
 */
export async function findPosted(client: WebClient, lookup: PostedLookup): Promise<Found> {
  try {
    const channel = await conversationOf(client, lookup.channel);
    return channel ? await search(client, lookup, channel) : null;
  } catch (error) {
    const code = platformError(error);
    if (NOTHING_THERE.has(code ?? '')) return null;
    if (code === 'missing_scope') {
      const needed = (error as { data?: { needed?: unknown } }).data?.needed;
      throw new LookupNotAllowed(typeof needed === 'string' ? needed : 'history');
    }
    throw error;
  }
}

/**
 * Whether a failed post may still have reached Slack: the request went out and no answer came back
 * (the connection dropped or timed out). Failures before the request left (refused, no such host)
 * and any answer Slack gave (429, an HTTP error, `ok: false`) mean it did not.
 */
export function mayHaveReachedSlack(error: unknown): boolean {
  if ((error as { code?: string })?.code !== 'slack_webapi_request_error') return false;
  const NOT_SENT =
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT|CERT|ERR_TLS/;
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_SENT.test(code)) return false;
  }
  return true;
}
