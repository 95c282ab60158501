import { describe, expect, it } from 'vitest';
import {
  findAccountByThread,
  findAccountsByCrmId,
  findAccountsByNameKey,
  getAccount,
  getAccountsByIds,
  getAccountThread,
  insertAccounts,
  lockAccount,
  lockAccountThread,
  lockCreditHoldStates,
  moveAccountOwner,
  nameKey,
  ownersOf,
  setAccountOwner,
  setAccountOwnerIfNone,
  setAccountThread,
  setCreditHold,
  setCreditLimit,
  upsertAccount,
} from '../../src/db/accounts.ts';
import { useTestDatabase } from '../support/db.ts';
import { anAccount, OTHER_TEAM, TEAM, unique } from '../support/rows.ts';

const database = useTestDatabase();

describe('db/accounts', () => {
  it('keys names without case or repeated blanks', () => {
    expect(nameKey('  ACME   Corp ')).toBe('acme corp');
    expect(nameKey('Ａｃｍｅ')).toBe('acme');
  });

  it('upserts by CRM id, then by name, filling in only what was unknown', async () => {
    const { db } = database;
    const created = await upsertAccount(db, TEAM, { crmId: 'UP-1', name: ' Upsert Co ', domain: null });
    expect(created).toMatchObject({
      team_id: TEAM,
      crm_id: 'UP-1',
      name: 'Upsert Co',
      name_key: 'upsert co',
    });
    const byCrm = await upsertAccount(db, TEAM, { crmId: 'UP-1', name: 'Renamed', domain: 'upsert.example' });
    expect(byCrm).toMatchObject({ id: created.id, name: 'Upsert Co', domain: 'upsert.example' });
    const byName = await upsertAccount(db, TEAM, { crmId: null, name: 'UPSERT  co', ownerUserId: 'U0UP' });
    expect(byName).toMatchObject({ id: created.id, owner_user_id: 'U0UP', domain: 'upsert.example' });
    const kept = await upsertAccount(db, TEAM, { crmId: null, name: 'Upsert Co', ownerUserId: 'U0OTHER' });
    expect(kept.owner_user_id).toBe('U0UP');
    const elsewhere = await upsertAccount(db, OTHER_TEAM, { crmId: 'UP-1', name: 'Upsert Co' });
    expect(elsewhere.id).not.toBe(created.id);
  });

  it('records an account thread once; the first one stands', async () => {
    const { db } = database;
    const account = await anAccount(db);
    expect(await getAccountThread(db, account.id)).toEqual({
      id: account.id,
      thread_channel: null,
      thread_ts: null,
    });
    expect(await setAccountThread(db, account.id, 'C1', '1.1')).toEqual({ channel: 'C1', ts: '1.1' });
    expect(await setAccountThread(db, account.id, 'C2', '2.2')).toEqual({ channel: 'C1', ts: '1.1' });
    const held = await db.transaction().execute((trx) => lockAccountThread(trx, account.id));
    expect(held).toEqual({ id: account.id, thread_channel: 'C1', thread_ts: '1.1' });
    expect(await findAccountByThread(db, TEAM, 'C1', '1.1')).toEqual({ id: account.id, owner_user_id: null });
    expect(await findAccountByThread(db, OTHER_TEAM, 'C1', '1.1')).toBeUndefined();
  });

  it('reads accounts of one workspace only', async () => {
    const { db } = database;
    const mine = await anAccount(db);
    const theirs = await anAccount(db, { teamId: OTHER_TEAM });
    expect((await getAccount(db, TEAM, mine.id))?.id).toBe(mine.id);
    expect(await getAccount(db, TEAM, theirs.id)).toBeUndefined();
    await expect(db.transaction().execute((trx) => lockAccount(trx, TEAM, theirs.id))).rejects.toThrow();
    expect((await db.transaction().execute((trx) => lockAccount(trx, TEAM, mine.id))).id).toBe(mine.id);
    expect((await getAccountsByIds(db, [mine.id, theirs.id])).map((a) => a.id).sort()).toEqual(
      [mine.id, theirs.id].sort(),
    );
    expect(await getAccountsByIds(db, [])).toEqual([]);
  });

  it('sets owners: once when unowned, by AR, and following a deal that moves', async () => {
    const { db } = database;
    const account = await anAccount(db);
    await setAccountOwnerIfNone(db, account.id, 'U0FIRST');
    await setAccountOwnerIfNone(db, account.id, 'U0SECOND');
    expect((await getAccount(db, TEAM, account.id))?.owner_user_id).toBe('U0FIRST');
    await moveAccountOwner(db, account.id, 'U0NOTOWNER', 'U0THIRD');
    expect((await getAccount(db, TEAM, account.id))?.owner_user_id).toBe('U0FIRST');
    await moveAccountOwner(db, account.id, 'U0FIRST', 'U0THIRD');
    expect((await getAccount(db, TEAM, account.id))?.owner_user_id).toBe('U0THIRD');
    expect((await setAccountOwner(db, TEAM, account.id, 'U0AR'))?.owner_user_id).toBe('U0AR');
    expect(await setAccountOwner(db, OTHER_TEAM, account.id, 'U0AR')).toBeUndefined();
    expect(await ownersOf(db, [account.id, (await anAccount(db)).id])).toEqual(['U0AR']);
  });

  it('puts accounts on credit hold and takes them off, counting each change', async () => {
    const { db } = database;
    const account = await anAccount(db);
    const since = new Date('2026-05-01T10:00:00Z');
    await db.transaction().execute(async (trx) => {
      const [state] = await lockCreditHoldStates(trx, [account.id]);
      expect(state).toMatchObject({ id: account.id, credit_hold: false, credit_hold_changes: 0 });
      await setCreditHold(trx, [account.id], true, since);
    });
    expect(await getAccount(db, TEAM, account.id)).toMatchObject({
      credit_hold: true,
      credit_hold_since: since,
      credit_hold_changes: 1,
    });
    await setCreditHold(db, [account.id], false, new Date());
    expect(await getAccount(db, TEAM, account.id)).toMatchObject({
      credit_hold: false,
      credit_hold_since: null,
      credit_hold_changes: 2,
    });
    expect(await db.transaction().execute((trx) => lockCreditHoldStates(trx, []))).toEqual([]);
  });

  it('finds and creates accounts in bulk, and sets a credit limit', async () => {
    const { db } = database;
    const n = unique();
    const [a, b] = await insertAccounts(db, TEAM, [
      { crmId: `BULK-${n}`, name: `Bulk A ${n}` },
      { crmId: null, name: `Bulk  B ${n}` },
    ]);
    expect(b?.name_key).toBe(`bulk b ${n}`);
    expect((await findAccountsByCrmId(db, TEAM, [`BULK-${n}`])).map((x) => x.id)).toEqual([a?.id]);
    expect(await findAccountsByCrmId(db, OTHER_TEAM, [`BULK-${n}`])).toEqual([]);
    expect((await findAccountsByNameKey(db, TEAM, [`bulk b ${n}`])).map((x) => x.id)).toEqual([b?.id]);
    const limited = await setCreditLimit(db, a?.id as number, 900_000, 'EUR');
    expect(limited).toMatchObject({ credit_limit_cents: 900_000, credit_limit_currency: 'EUR' });
  });
});
