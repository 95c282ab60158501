import type { KnownBlock } from '@slack/types';
import { insertNotifications } from '../db/notifications.ts';
import type { Queryable } from '../db/schema.ts';

/**
 * Where a notification goes, resolved at delivery time so that it always uses the latest state.
 * `files` on a message: the dedupe keys of the uploads it shows. It waits until they are done; an
 * image block whose `slack_file.id` is such a key then shows that file (or is left out when the
 * upload failed for good).
 */
export type Target =
  /**
   * A channel, optionally as a reply in a known thread. A null channel (here and below) is the
   * workspace's finance channel, found at delivery; the message waits while it has none.
   */
  | { kind: 'channel'; channel: string | null; threadTs?: string; files?: string[] }
  /** A direct message from the app to a user. */
  | { kind: 'user'; userId: string; files?: string[] }
  /**
   * The account's thread in the finance channel. A reply waits until the thread exists; only a
   * message that may start it does so (`startsThread`: a first handoff summary, which replies when
   * the thread already exists; `rootOnly`: the account's root message, dropped when it exists).
   */
  | {
      kind: 'account_thread';
      accountId: number;
      channel: string | null;
      rootOnly?: boolean;
      startsThread?: boolean;
    }
  /** The deal's owning rep, by Slack id or, failing that, by email; `fallback` when nobody matches. */
  | { kind: 'deal_owner'; dealId: number; fallback: { channel: string | null; message: OutMessage } }
  /** Replace the message an earlier notification (by dedupe key) delivered. */
  | { kind: 'update'; of: string }
  /** Publish the user's App Home, rendered at delivery time. */
  | { kind: 'home'; userId: string; files?: string[] }
  /**
   * Upload a PNG to Slack privately (files.getUploadURLExternal, the bytes, then
   * files.completeUploadExternal), for `slack_file` image blocks to show. Its row records the file id.
   */
  | { kind: 'upload'; filename: string; title: string; pngBase64: string };

export interface OutMessage {
  text: string;
  blocks?: KnownBlock[];
}

/** A condition checked just before delivery; a message whose guard no longer holds is not sent. */
export type Guard =
  /** A reminder: only while the handoff is incomplete and the deal still belongs to this rep. */
  { kind: 'handoff_incomplete'; dealId: number; ownerUserId: string };

export interface NewNotification {
  teamId: string;
  dedupeKey: string;
  target: Target;
  message: OutMessage;
  notBefore?: Date;
  guard?: Guard;
}

/**
 * Writes a notification to the outbox. A second call with the same dedupe key changes nothing and
 * returns false: this is what makes retries, replays and concurrent sweeps send once.
 */
export async function enqueue(db: Queryable, n: NewNotification): Promise<boolean> {
  return (await enqueueMany(db, [n])) === 1;
}

/** Many notifications in few statements (bulk imports); returns how many were new. */
export async function enqueueMany(db: Queryable, list: readonly NewNotification[]): Promise<number> {
  return insertNotifications(
    db,
    list.map((n) => ({
      team_id: n.teamId,
      dedupe_key: n.dedupeKey,
      target: JSON.stringify(n.target),
      message: JSON.stringify(n.message),
      guard: n.guard ? JSON.stringify(n.guard) : null,
      ...(n.notBefore ? { next_attempt_at: n.notBefore } : {}),
    })),
  );
}
