import type { KnownBlock } from '@slack/types';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, Notification } from '../db/schema.ts';

/** Where a notification goes, resolved at delivery time so that it always uses the latest state. */
export type Target =
  /** A channel, optionally as a reply in a known thread. */
  | { kind: 'channel'; channel: string; threadTs?: string }
  /** A direct message from the app to a user. */
  | { kind: 'user'; userId: string }
  /**
   * The account's thread in the finance channel: the first message becomes the thread's root.
   * `rootOnly`: a message that only makes sense as the root (dropped when the thread exists).
   */
  | { kind: 'account_thread'; accountId: number; channel: string; rootOnly?: boolean }
  /** The deal's owning rep, by Slack id or, failing that, by email; `fallback` when nobody matches. */
  | { kind: 'deal_owner'; dealId: number; fallback: { channel: string; message: OutMessage } }
  /** Replace the message an earlier notification (by dedupe key) delivered. */
  | { kind: 'update'; of: string }
  /** Publish the user's App Home, rendered at delivery time. */
  | { kind: 'home'; userId: string };

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

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Writes a notification to the outbox. A second call with the same dedupe key changes nothing and
 * returns false: this is what makes retries, replays and concurrent sweeps send once.
 */
export async function enqueue(db: Db, n: NewNotification): Promise<boolean> {
  return (await enqueueMany(db, [n])) === 1;
}

/** Many notifications in one statement (bulk imports); returns how many were new. */
export async function enqueueMany(db: Db, list: readonly NewNotification[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < list.length; i += 1_000) {
    const rows = await db
      .insertInto('notifications')
      .values(
        list.slice(i, i + 1_000).map((n) => ({
          team_id: n.teamId,
          dedupe_key: n.dedupeKey,
          target: JSON.stringify(n.target),
          message: JSON.stringify(n.message),
          guard: n.guard ? JSON.stringify(n.guard) : null,
          next_attempt_at: n.notBefore ?? sql<Date>`now()`,
        })),
      )
      .onConflict((oc) => oc.columns(['team_id', 'dedupe_key']).doNothing())
      .returning('id')
      .execute();
    inserted += rows.length;
  }
  return inserted;
}

/** How long a claimed row stays ours before another worker may assume we crashed. */
export const CLAIM_SECONDS = 60;

/**
 * Claims up to `limit` due rows for delivery. `FOR UPDATE SKIP LOCKED` keeps replicas off each
 * other's rows; a row left `sending` past its claim (its worker died mid-delivery) is claimed again.
 */
export async function claimDue(db: Kysely<Database>, limit: number): Promise<Notification[]> {
  return db
    .updateTable('notifications')
    .set({
      status: 'sending',
      claimed_until: sql<Date>`now() + make_interval(secs => ${CLAIM_SECONDS})`,
      attempts: sql<number>`attempts + 1`,
    })
    .where(
      'id',
      'in',
      db
        .selectFrom('notifications')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', sql<Date>`now()`)]),
            eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<', sql<Date>`now()`)]),
          ]),
        )
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute()
    .then((rows) => rows.sort((a, b) => a.id - b.id));
}

export async function markSent(db: Db, id: number, channel: string, ts: string): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ status: 'sent', channel, ts, sent_at: new Date(), claimed_until: null, last_error: null })
    .where('id', '=', id)
    .execute();
}

export async function reschedule(db: Db, id: number, at: Date, error: string | null): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ status: 'pending', next_attempt_at: at, claimed_until: null, last_error: error })
    .where('id', '=', id)
    .execute();
}

export async function markFinal(
  db: Db,
  id: number,
  status: 'failed' | 'cancelled',
  reason: string,
): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ status, last_error: reason, claimed_until: null })
    .where('id', '=', id)
    .execute();
}

export async function findByKey(
  db: Db,
  teamId: string,
  dedupeKey: string,
): Promise<Notification | undefined> {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('dedupe_key', '=', dedupeKey)
    .executeTakeFirst();
}
