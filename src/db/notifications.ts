import { sql } from 'kysely';
import type { Db, NewNotificationRow, Notification, Queryable } from './schema.ts';

/** Rows per insert statement. */
const CHUNK = 1_000;

/**
 * Inserts outbox rows, skipping any whose dedupe key the workspace already has; returns how many
 * were new. A row without `next_attempt_at` is due at once (the database's now).
 */
export async function insertNotifications(
  db: Queryable,
  rows: readonly NewNotificationRow[],
): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const added = await db
      .insertInto('notifications')
      .values(
        rows
          .slice(i, i + CHUNK)
          .map((row) => ({ ...row, next_attempt_at: row.next_attempt_at ?? sql<Date>`now()` })),
      )
      .onConflict((oc) => oc.columns(['team_id', 'dedupe_key']).doNothing())
      .returning('id')
      .execute();
    inserted += added.length;
  }
  return inserted;
}

/**
 * Claims up to `limit` due rows for delivery, for `claimSeconds`. `FOR UPDATE SKIP LOCKED` keeps
 * replicas off each other's rows; a row left `sending` past its claim (its worker died
 * mid-delivery) is claimed again. Oldest first.
 */
export async function claimDueNotifications(
  db: Db,
  limit: number,
  claimSeconds: number,
): Promise<Notification[]> {
  const rows = await db
    .updateTable('notifications')
    .set({
      status: 'sending',
      claimed_until: sql<Date>`now() + make_interval(secs => ${claimSeconds})`,
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
    .execute();
  return rows.sort((a, b) => a.id - b.id);
}

export async function markSent(db: Queryable, id: number, channel: string, ts: string): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ status: 'sent', channel, ts, sent_at: new Date(), claimed_until: null, last_error: null })
    .where('id', '=', id)
    .execute();
}

/** Back to pending, due at `at`; `uncount` gives back the attempt its claim counted (a deferral is no attempt). */
export async function reschedule(
  db: Queryable,
  id: number,
  at: Date,
  error: string | null,
  uncount = false,
): Promise<void> {
  await db
    .updateTable('notifications')
    .set((eb) => ({
      status: 'pending',
      next_attempt_at: at,
      claimed_until: null,
      last_error: error,
      ...(uncount ? { attempts: eb('attempts', '-', 1) } : {}),
    }))
    .where('id', '=', id)
    .execute();
}

export async function markFinal(
  db: Queryable,
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

export async function findNotificationByKey(
  db: Queryable,
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

/** When the next pending row comes due (past or future), or null when none is pending. */
export async function nextPendingAt(db: Queryable): Promise<Date | null> {
  const next = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.min('next_attempt_at').as('at'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return next?.at ? new Date(next.at as Date) : null;
}
