import type { Ask, NewAsk, Queryable, Trx } from './schema.ts';

/** Inserts the ask unless its source (a modal, a message) already made one; undefined then. */
export async function insertAsk(db: Queryable, ask: NewAsk): Promise<Ask | undefined> {
  return db
    .insertInto('asks')
    .values(ask)
    .onConflict((oc) => oc.columns(['team_id', 'source_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function getAsk(db: Queryable, teamId: string, id: number): Promise<Ask | undefined> {
  return db
    .selectFrom('asks')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Closes an open ask with its answer; undefined when it was answered already (or does not exist). */
export async function closeAsk(
  trx: Trx,
  teamId: string,
  id: number,
  a: { answer: string; byUserId: string; at: Date },
): Promise<Ask | undefined> {
  return trx
    .updateTable('asks')
    .set({ status: 'answered', answer: a.answer, answered_by: a.byUserId, answered_at: a.at })
    .where('team_id', '=', teamId)
    .where('id', '=', id)
    .where('status', '=', 'open')
    .returningAll()
    .executeTakeFirst();
}

/** The oldest open ask this person owes an answer to on this account (a rep's ask, or any ask for AR). */
export async function oldestOpenAsk(
  db: Queryable,
  teamId: string,
  accountId: number,
  who: { userId: string; isAr: boolean },
): Promise<Ask | undefined> {
  return db
    .selectFrom('asks')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('account_id', '=', accountId)
    .where('status', '=', 'open')
    .where((eb) =>
      who.isAr
        ? eb.or([eb('asked_of', '=', who.userId), eb('direction', '=', 'to_ar')])
        : eb('asked_of', '=', who.userId),
    )
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .limit(1)
    .executeTakeFirst();
}

export type OpenAsk = Ask & { account_name: string };

/** Open asks, each with its account's name: what App Home and the reminder sweep both read. */
function openAsks(db: Queryable) {
  return db
    .selectFrom('asks')
    .innerJoin('accounts', 'accounts.id', 'asks.account_id')
    .selectAll('asks')
    .select('accounts.name as account_name')
    .where('asks.status', '=', 'open');
}

/** A person's open asks, due first (App Home). */
export async function openAsksOf(
  db: Queryable,
  teamId: string,
  userId: string,
  limit: number,
): Promise<OpenAsk[]> {
  return openAsks(db)
    .where('asks.team_id', '=', teamId)
    .where('asks.asked_of', '=', userId)
    .orderBy('asks.due_on', 'asc')
    .orderBy('asks.id', 'asc')
    .limit(limit)
    .execute();
}

/** Questions reps passed to AR ("Send to AR") still waiting for an answer, oldest first (AR's App Home). */
export async function openAsksForAr(db: Queryable, teamId: string, limit: number): Promise<OpenAsk[]> {
  return openAsks(db)
    .where('asks.team_id', '=', teamId)
    .where('asks.direction', '=', 'to_ar')
    .orderBy('asks.created_at', 'asc')
    .orderBy('asks.id', 'asc')
    .limit(limit)
    .execute();
}

/** Open asks to reps that are due by `latestDay`, page by page (the reminder sweep). */
export async function dueAsks(
  db: Queryable,
  latestDay: string,
  afterId: number,
  limit: number,
  /** One workspace's asks only (multi-workspace mode sweeps each installed workspace). */
  teamId?: string,
): Promise<OpenAsk[]> {
  return openAsks(db)
    .where('asks.direction', '=', 'to_rep')
    .where('asks.asked_of', 'is not', null)
    .where('asks.due_on', '<=', latestDay)
    .where('asks.id', '>', afterId)
    .$if(teamId !== undefined, (q) => q.where('asks.team_id', '=', teamId as string))
    .orderBy('asks.id', 'asc')
    .limit(limit)
    .execute();
}

/** Claims today's reminder: true once per ask and day, whoever sweeps. */
export async function claimAskReminder(trx: Trx, id: number, day: string): Promise<boolean> {
  const row = await trx
    .updateTable('asks')
    .set({ last_reminder_on: day })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .where((eb) => eb.or([eb('last_reminder_on', 'is', null), eb('last_reminder_on', '<', day)]))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Claims the escalation: true once per ask. */
export async function claimAskEscalation(trx: Trx, id: number, at: Date): Promise<boolean> {
  const row = await trx
    .updateTable('asks')
    .set({ escalated_at: at })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .where('escalated_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
