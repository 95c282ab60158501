import type { Queryable } from './schema.ts';

/**
 * Records that a request (a Slack event id, a view submission) was handled. Returns false when it
 * was seen before: Slack retries and double clicks then do nothing twice.
 */
export async function firstSighting(db: Queryable, teamId: string, requestKey: string): Promise<boolean> {
  const row = await db
    .insertInto('seen_requests')
    .values({ team_id: teamId, request_key: requestKey })
    .onConflict((oc) => oc.columns(['team_id', 'request_key']).doNothing())
    .returning('request_key')
    .executeTakeFirst();
  return row !== undefined;
}

/** Undoes a sighting whose handling failed, so that a retry is handled. */
export async function forget(db: Queryable, teamId: string, requestKey: string): Promise<void> {
  await db
    .deleteFrom('seen_requests')
    .where('team_id', '=', teamId)
    .where('request_key', '=', requestKey)
    .execute();
}

/** Forgets every request seen before `before` (Slack retries within minutes; older ids are noise). */
export async function forgetSeenBefore(db: Queryable, before: Date): Promise<void> {
  await db.deleteFrom('seen_requests').where('seen_at', '<', before).execute();
}
