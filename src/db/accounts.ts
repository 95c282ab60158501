import { sql } from 'kysely';
import type { Account, Queryable, Trx } from './schema.ts';

/** Names compare without case, punctuation spacing or repeated blanks: "ACME  Corp" = "acme corp". */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * nameKey, worked out once per name: normalising is most of the cost of reading a large file's
 * names, which repeat row after row. Holds one entry per distinct name.
 */
export class NameKeys {
  readonly #keys = new Map<string, string>();
  of(name: string): string {
    let key = this.#keys.get(name);
    if (key === undefined) {
      key = nameKey(name);
      this.#keys.set(name, key);
    }
    return key;
  }
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

/** The account of this workspace, or undefined. */
export async function getAccount(
  db: Queryable,
  teamId: string,
  accountId: number,
): Promise<Account | undefined> {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('id', '=', accountId)
    .executeTakeFirst();
}

/** The account, held until the transaction ends; throws when it is not this workspace's. */
export async function lockAccount(trx: Trx, teamId: string, accountId: number): Promise<Account> {
  return trx
    .selectFrom('accounts')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('id', '=', accountId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function getAccountsByIds(db: Queryable, ids: readonly number[]): Promise<Account[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('id', '=', sql<number>`any(${[...ids]}::int[])`)
    .execute();
}

/** The account whose thread in the finance channel this is. */
export async function findAccountByThread(
  db: Queryable,
  teamId: string,
  channel: string,
  threadTs: string,
): Promise<Pick<Account, 'id' | 'owner_user_id'> | undefined> {
  return db
    .selectFrom('accounts')
    .select(['id', 'owner_user_id'])
    .where('team_id', '=', teamId)
    .where('thread_channel', '=', channel)
    .where('thread_ts', '=', threadTs)
    .executeTakeFirst();
}

/** AR sets the account's owning rep; undefined when the workspace has no such account. */
export async function setAccountOwner(
  db: Queryable,
  teamId: string,
  accountId: number,
  userId: string,
): Promise<Account | undefined> {
  return db
    .updateTable('accounts')
    .set({ owner_user_id: userId, updated_at: new Date() })
    .where('team_id', '=', teamId)
    .where('id', '=', accountId)
    .returningAll()
    .executeTakeFirst();
}

/** A deal moved from `from` to `to`: its account follows unless someone else owns it. */
export async function moveAccountOwner(
  db: Queryable,
  accountId: number,
  from: string | null,
  to: string,
): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ owner_user_id: to })
    .where('id', '=', accountId)
    .where((eb) => eb.or([eb('owner_user_id', 'is', null), eb('owner_user_id', '=', from)]))
    .execute();
}

export type CreditHoldState = Pick<
  Account,
  | 'id'
  | 'team_id'
  | 'name'
  | 'owner_user_id'
  | 'credit_hold'
  | 'credit_hold_changes'
  | 'credit_limit_cents'
  | 'credit_limit_currency'
>;

/** What credit hold is computed from, holding the accounts until the transaction ends. */
export async function lockCreditHoldStates(trx: Trx, ids: readonly number[]): Promise<CreditHoldState[]> {
  if (ids.length === 0) return [];
  return trx
    .selectFrom('accounts')
    .select([
      'id',
      'team_id',
      'name',
      'owner_user_id',
      'credit_hold',
      'credit_hold_changes',
      'credit_limit_cents',
      'credit_limit_currency',
    ])
    .where(sql<boolean>`id = any(${[...ids]}::int[])`)
    .forUpdate()
    .execute();
}

/** Puts these accounts on credit hold (since `now`) or takes them off, counting the change. */
export async function setCreditHold(
  db: Queryable,
  ids: readonly number[],
  on: boolean,
  now: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('accounts')
    .set((eb) => ({
      credit_hold: on,
      credit_hold_since: on ? now : null,
      credit_hold_changes: eb('credit_hold_changes', '+', 1),
      updated_at: new Date(),
    }))
    .where(sql<boolean>`id = any(${[...ids]}::int[])`)
    .execute();
}

/** This workspace's accounts with these CRM ids. */
export async function findAccountsByCrmId(
  db: Queryable,
  teamId: string,
  crmIds: readonly string[],
): Promise<Account[]> {
  if (crmIds.length === 0) return [];
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('crm_id', '=', sql<string>`any(${[...crmIds]}::text[])`)
    .execute();
}

/** This workspace's accounts with these name keys (see nameKey), oldest first. */
export async function findAccountsByNameKey(
  db: Queryable,
  teamId: string,
  keys: readonly string[],
): Promise<Account[]> {
  if (keys.length === 0) return [];
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('name_key', '=', sql<string>`any(${[...keys]}::text[])`)
    .orderBy('id')
    .execute();
}

/** Creates accounts (CRM id and name known, nothing else yet). */
export async function insertAccounts(
  db: Queryable,
  teamId: string,
  accounts: ReadonlyArray<{ crmId: string | null; name: string }>,
): Promise<Account[]> {
  if (accounts.length === 0) return [];
  return db
    .insertInto('accounts')
    .values(
      accounts.map((a) => ({ team_id: teamId, crm_id: a.crmId, name: a.name, name_key: nameKey(a.name) })),
    )
    .returningAll()
    .execute();
}

/** Sets the account's credit limit, in the currency it is given in. */
export async function setCreditLimit(
  db: Queryable,
  accountId: number,
  cents: number | null,
  currency: string | null,
): Promise<Account> {
  return db
    .updateTable('accounts')
    .set({ credit_limit_cents: cents, credit_limit_currency: currency, updated_at: new Date() })
    .where('id', '=', accountId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The owning reps of these accounts (each once; accounts nobody owns are left out). */
export async function ownersOf(db: Queryable, accountIds: readonly number[]): Promise<string[]> {
  if (accountIds.length === 0) return [];
  const rows = await db
    .selectFrom('accounts')
    .select('owner_user_id')
    .distinct()
    .where('id', 'in', accountIds)
    .where('owner_user_id', 'is not', null)
    .execute();
  return rows.flatMap((r) => (r.owner_user_id ? [r.owner_user_id] : []));
}
