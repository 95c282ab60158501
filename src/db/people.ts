import type { Kysely, Transaction } from 'kysely';
import type { Database, Person, Role } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface PersonInfo {
  userId: string;
  email?: string | null;
  name?: string | null;
  tz?: string | null;
  role?: Role;
}

/** Records what Slack told us about a person; fields not given are left as they were. */
export async function upsertPerson(db: Db, teamId: string, p: PersonInfo): Promise<void> {
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

export async function getPerson(db: Db, teamId: string, userId: string): Promise<Person | undefined> {
  return db
    .selectFrom('people')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function findPersonByEmail(db: Db, teamId: string, email: string): Promise<Person | undefined> {
  return db
    .selectFrom('people')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst();
}
