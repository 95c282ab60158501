import type { Account, Queryable, Trx } from './schema.ts';

/** Names compare without case, punctuation spacing or repeated blanks: "ACME  Corp" = "acme corp". */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export interface AccountRef {
  crmId: string | null;
  name: string;
  domain?: string | null;
  ownerUserId?: string | null;
}

/**
 * Finds the account by CRM id, then by name, creating it when new. Fills in what was unknown
 * (domain, CRM id, owner) without overwriting what AR already set.
 */
export async function upsertAccount(db: Queryable, teamId: string, ref: AccountRef): Promise<Account> {
  const key = nameKey(ref.name);
  let existing: Account | undefined;
  if (ref.crmId) {
    existing = await db
      .selectFrom('accounts')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('crm_id', '=', ref.crmId)
      .forUpdate()
      .executeTakeFirst();
  }
  existing ??= await db
    .selectFrom('accounts')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('name_key', '=', key)
    .where((eb) =>
      ref.crmId ? eb.or([eb('crm_id', 'is', null), eb('crm_id', '=', ref.crmId)]) : eb.lit(true),
    )
    .orderBy('id')
    .forUpdate()
    .executeTakeFirst();
  if (existing) {
    const patch = {
      ...(existing.crm_id === null && ref.crmId ? { crm_id: ref.crmId } : {}),
      ...(existing.domain === null && ref.domain ? { domain: ref.domain } : {}),
      ...(existing.owner_user_id === null && ref.ownerUserId ? { owner_user_id: ref.ownerUserId } : {}),
    };
    if (Object.keys(patch).length === 0) return existing;
    return db
      .updateTable('accounts')
      .set({ ...patch, updated_at: new Date() })
      .where('id', '=', existing.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  const created = await db
    .insertInto('accounts')
    .values({
      team_id: teamId,
      crm_id: ref.crmId,
      name: ref.name.trim(),
      name_key: key,
      domain: ref.domain ?? null,
      owner_user_id: ref.ownerUserId ?? null,
    })
    .onConflict((oc) => oc.columns(['team_id', 'crm_id']).where('crm_id', 'is not', null).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (created) return created;
  // A concurrent request created it first.
  return upsertAccount(db, teamId, ref);
}

/** Records the account's thread unless it already has one; returns the thread that stands. */
export async function setAccountThread(
  db: Queryable,
  accountId: number,
  channel: string,
  ts: string,
): Promise<{ channel: string; ts: string }> {
  const updated = await db
    .updateTable('accounts')
    .set({ thread_channel: channel, thread_ts: ts, updated_at: new Date() })
    .where('id', '=', accountId)
    .where('thread_ts', 'is', null)
    .returning(['thread_channel', 'thread_ts'])
    .executeTakeFirst();
  if (updated) return { channel, ts };
  const row = await db
    .selectFrom('accounts')
    .select(['thread_channel', 'thread_ts'])
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  return { channel: row.thread_channel ?? channel, ts: row.thread_ts ?? ts };
}

export type AccountThread = Pick<Account, 'id' | 'thread_channel' | 'thread_ts'>;

/** Where the account's thread is, if it has one yet. */
export async function getAccountThread(db: Queryable, accountId: number): Promise<AccountThread | undefined> {
  return db
    .selectFrom('accounts')
    .select(['id', 'thread_channel', 'thread_ts'])
    .where('id', '=', accountId)
    .executeTakeFirst();
}

/** The account's thread, holding the account until the transaction ends (one thread root per account). */
export async function lockAccountThread(trx: Trx, accountId: number): Promise<AccountThread> {
  return trx
    .selectFrom('accounts')
    .select(['id', 'thread_channel', 'thread_ts'])
    .where('id', '=', accountId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

/** Makes the rep the account's owner unless it has one. */
export async function setAccountOwnerIfNone(db: Queryable, accountId: number, userId: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ owner_user_id: userId })
    .where('id', '=', accountId)
    .where('owner_user_id', 'is', null)
    .execute();
}
