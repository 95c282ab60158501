import type { Person, Queryable, Role } from './schema.ts';

export interface PersonInfo {
  userId: string;
  email?: string | null;
  name?: string | null;
  tz?: string | null;
  role?: Role;
}

/** Records what Slack told us about a person; fields not given are left as they were. */
export async function upsertPerson(db: Queryable, teamId: string, p: PersonInfo): Promise<void> {
  const now = new Date();
  const known = {
    ...(p.email !== undefined ? { email: p.email?.toLowerCase() ?? null } : {}),
    ...(p.name !== undefined ? { name: p.name } : {}),
    ...(p.tz !== undefined ? { tz: p.tz, tz_checked_at: now } : {}),
    ...(p.role !== undefined ? { role: p.role } : {}),
  };
  await db
    .insertInto('people')
    .values({ team_id: teamId, user_id: p.userId, ...known })
    .onConflict((oc) => oc.columns(['team_id', 'user_id']).doUpdateSet({ ...known, updated_at: now }))
    .execute();
}

export async function getPerson(db: Queryable, teamId: string, userId: string): Promise<Person | undefined> {
  return db
    .selectFrom('people')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function findPersonByEmail(
  db: Queryable,
  teamId: string,
  email: string,
): Promise<Person | undefined> {
  return db
    .selectFrom('people')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst();
}

/** Remembers that the person opened App Home (from then on it is refreshed when what it shows changes). */
export async function markHomeOpened(db: Queryable, teamId: string, userId: string): Promise<void> {
  const at = new Date();
  await db
    .insertInto('people')
    .values({ team_id: teamId, user_id: userId, home_opened_at: at })
    .onConflict((oc) => oc.columns(['team_id', 'user_id']).doUpdateSet({ home_opened_at: at }))
    .execute();
}

/** Which of these people have opened App Home. */
export async function homeOpeners(
  db: Queryable,
  teamId: string,
  userIds: readonly string[],
): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom('people')
    .select('user_id')
    .where('team_id', '=', teamId)
    .where('user_id', 'in', userIds)
    .where('home_opened_at', 'is not', null)
    .execute();
  return rows.map((r) => r.user_id);
}

/** Records who manages the person (null: nobody). */
export async function setManager(
  db: Queryable,
  teamId: string,
  userId: string,
  managerUserId: string | null,
): Promise<void> {
  await db
    .updateTable('people')
    .set({ manager_user_id: managerUserId })
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .execute();
}

/** The people recorded with this role, by user id. */
export async function peopleWithRole(db: Queryable, teamId: string, role: Role): Promise<string[]> {
  const rows = await db
    .selectFrom('people')
    .select('user_id')
    .where('team_id', '=', teamId)
    .where('role', '=', role)
    .orderBy('user_id')
    .execute();
  return rows.map((r) => r.user_id);
}
