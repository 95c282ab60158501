import { describe, expect, it } from 'vitest';
import {
  claimAskEscalation,
  claimAskReminder,
  closeAsk,
  dueAsks,
  getAsk,
  insertAsk,
  oldestOpenAsk,
  openAsksForAr,
  openAsksOf,
} from '../../src/db/asks.ts';
import type { Account, NewAsk } from '../../src/db/schema.ts';
import { useTestDatabase } from '../support/db.ts';
import { anAccount, OTHER_TEAM, TEAM, unique } from '../support/rows.ts';

const database = useTestDatabase();

const ask = (account: Account, o: Partial<NewAsk> = {}): NewAsk => ({
  team_id: account.team_id,
  account_id: account.id,
  direction: 'to_rep',
  asked_by: 'U0AR',
  asked_of: 'U0REP',
  question: 'PO number?',
  due_on: '2026-12-02',
  source_key: `view:V${unique()}`,
  ...o,
});

describe('db/asks', () => {
  it('stores an ask once per source, closes it once, in its workspace only', async () => {
    const { db } = database;
    const account = await anAccount(db, { ownerUserId: 'U0REP' });
    const row = ask(account);
    const first = await insertAsk(db, row);
    expect(first).toMatchObject({ status: 'open', question: 'PO number?', due_on: '2026-12-02' });
    expect(await insertAsk(db, row)).toBeUndefined();
    const id = first?.id as number;
    expect(await getAsk(db, OTHER_TEAM, id)).toBeUndefined();
    const at = new Date('2026-12-02T10:00:00Z');
    const closed = await db
      .transaction()
      .execute((trx) => closeAsk(trx, TEAM, id, { answer: 'PO-1', byUserId: 'U0REP', at }));
    expect(closed).toMatchObject({
      status: 'answered',
      answer: 'PO-1',
      answered_by: 'U0REP',
      answered_at: at,
    });
    expect(
      await db
        .transaction()
        .execute((trx) => closeAsk(trx, TEAM, id, { answer: 'again', byUserId: 'U0REP', at })),
    ).toBeUndefined();
  });

  it('finds the oldest open ask someone owes, a rep’s open asks, and the due ones; claims each step once', async () => {
    const { db } = database;
    const account = await anAccount(db, { ownerUserId: 'U0REP2' });
    const older = await insertAsk(db, ask(account, { asked_of: 'U0REP2', due_on: '2026-12-03' }));
    const newer = await insertAsk(db, ask(account, { asked_of: 'U0REP2', due_on: '2026-12-01' }));
    const toAr = await insertAsk(
      db,
      ask(account, { direction: 'to_ar', asked_of: null, asked_by: 'U0REP2', due_on: null }),
    );
    expect((await oldestOpenAsk(db, TEAM, account.id, { userId: 'U0REP2', isAr: false }))?.id).toBe(
      older?.id,
    );
    expect((await oldestOpenAsk(db, TEAM, account.id, { userId: 'U0AR9', isAr: true }))?.id).toBe(toAr?.id);
    expect(await oldestOpenAsk(db, TEAM, account.id, { userId: 'U0OTHER', isAr: false })).toBeUndefined();
    expect((await openAsksOf(db, TEAM, 'U0REP2', 10)).map((a) => [a.id, a.account_name])).toEqual([
      [newer?.id, account.name],
      [older?.id, account.name],
    ]);
    // AR's App Home: the questions reps sent to AR, open ones only, in this workspace.
    const forAr = await openAsksForAr(db, TEAM, 100);
    expect(forAr.map((a) => [a.id, a.account_name, a.direction])).toContainEqual([
      toAr?.id,
      account.name,
      'to_ar',
    ]);
    expect(forAr.every((a) => a.direction === 'to_ar' && a.status === 'open' && a.team_id === TEAM)).toBe(
      true,
    );
    expect(await openAsksForAr(db, OTHER_TEAM, 100)).toEqual([]);
    const due = await dueAsks(db, '2026-12-02', 0, 100);
    expect(due.map((a) => a.id)).toContain(newer?.id);
    expect(due.map((a) => a.id)).not.toContain(older?.id);
    expect(due.map((a) => a.id)).not.toContain(toAr?.id);
    const id = newer?.id as number;
    const claim = (day: string) => db.transaction().execute((trx) => claimAskReminder(trx, id, day));
    expect(await claim('2026-12-02')).toBe(true);
    expect(await claim('2026-12-02')).toBe(false);
    expect(await claim('2026-12-03')).toBe(true);
    const escalate = () => db.transaction().execute((trx) => claimAskEscalation(trx, id, new Date()));
    expect(await escalate()).toBe(true);
    expect(await escalate()).toBe(false);
  });
});
