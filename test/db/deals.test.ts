import { describe, expect, it } from 'vitest';
import {
  claimEscalation,
  claimReminder,
  claimUnownedDeal,
  dealIdsByCrmId,
  dealOfInvoice,
  dealsAwaitingHandoff,
  getDeal,
  getDealContext,
  insertDeal,
  lockDeal,
  passDeal,
  releaseUnreachableDeal,
  reminderCandidates,
  reminderGuardState,
  setDealDmKey,
  setDealOwner,
  snoozeDeal,
} from '../../src/db/deals.ts';
import { writeHandoff } from '../../src/db/handoffs.ts';
import type { Deal } from '../../src/db/schema.ts';
import { useTestDatabase } from '../support/db.ts';
import { aDeal, anAccount, anInvoice, OTHER_TEAM, TEAM } from '../support/rows.ts';

const database = useTestDatabase();

async function handoff(deal: Deal, complete: boolean) {
  await database.db
    .transaction()
    .execute((trx) =>
      writeHandoff(
        trx,
        { teamId: deal.team_id, dealId: deal.id, fields: {}, complete, submittedBy: 'U0REP', at: new Date() },
        undefined,
      ),
    );
}

describe('db/deals', () => {
  it('inserts a deal once per CRM id and workspace', async () => {
    const { db } = database;
    const account = await anAccount(db, { ownerUserId: 'U0REP' });
    const first = await aDeal(db, account, { crm_id: 'D-ONCE' });
    const again = await insertDeal(db, {
      team_id: TEAM,
      crm_id: 'D-ONCE',
      account_id: account.id,
      name: 'Other name',
      amount_cents: 1,
      currency: 'EUR',
      closed_at: new Date(),
      owner_user_id: null,
      owner_email: null,
      prefill: '{}',
      source: 'webhook',
    });
    expect(again).toMatchObject({ created: false, deal: { id: first.id, name: first.name } });
    const other = await aDeal(db, await anAccount(db, { teamId: OTHER_TEAM }), { crm_id: 'D-ONCE' });
    expect(other.id).not.toBe(first.id);
    expect(await dealIdsByCrmId(db, TEAM, ['D-ONCE', 'D-NONE'])).toEqual(new Map([['D-ONCE', first.id]]));
  });

  it('reads a deal with its account and handoff, in its workspace only', async () => {
    const { db } = database;
    const account = await anAccount(db, { ownerUserId: 'U0REP' });
    const deal = await aDeal(db, account);
    expect((await getDeal(db, TEAM, deal.id))?.id).toBe(deal.id);
    expect(await getDeal(db, OTHER_TEAM, deal.id)).toBeUndefined();
    expect(await getDealContext(db, TEAM, deal.id)).toMatchObject({
      deal: { id: deal.id },
      account: { id: account.id },
      handoff: undefined,
    });
    expect((await db.transaction().execute((trx) => lockDeal(trx, TEAM, deal.id)))?.id).toBe(deal.id);
    await handoff(deal, false);
    expect((await getDealContext(db, TEAM, deal.id))?.handoff).toMatchObject({ complete: false, version: 1 });
  });

  it('lists a rep’s deals waiting for a handoff, newest first', async () => {
    const { db } = database;
    const account = await anAccount(db, { ownerUserId: 'U0LIST' });
    const old = await aDeal(db, account, { closed_at: new Date('2026-01-01T00:00:00Z') });
    const draft = await aDeal(db, account, { closed_at: new Date('2026-02-01T00:00:00Z') });
    const done = await aDeal(db, account);
    await handoff(draft, false);
    await handoff(done, true);
    const waiting = await dealsAwaitingHandoff(db, TEAM, 'U0LIST');
    expect(waiting.map((d) => [d.id, d.hasDraft])).toEqual([
      [draft.id, true],
      [old.id, false],
    ]);
    expect(await dealsAwaitingHandoff(db, OTHER_TEAM, 'U0LIST')).toEqual([]);
  });

  it('changes hands: owner, claim of an unowned deal, a deal passed on, an unreachable owner', async () => {
    const { db } = database;
    const deal = await aDeal(db, await anAccount(db), {
      owner_user_id: null,
      owner_email: 'gone@example.com',
    });
    await claimUnownedDeal(db, OTHER_TEAM, deal.id, 'U0WRONGTEAM');
    await claimUnownedDeal(db, TEAM, deal.id, 'U0FIRST');
    await claimUnownedDeal(db, TEAM, deal.id, 'U0SECOND');
    expect((await getDeal(db, TEAM, deal.id))?.owner_user_id).toBe('U0FIRST');
    await setDealOwner(db, deal.id, 'U0OWNER');
    await setDealDmKey(db, deal.id, 'deal:dm');
    await snoozeDeal(db, deal.id, new Date('2026-06-01T09:00:00Z'));
    const before = (await getDeal(db, TEAM, deal.id)) as Deal;
    await passDeal(db, before, 'U0NEXT', 'deal:reassigned');
    expect(await getDeal(db, TEAM, deal.id)).toMatchObject({
      owner_user_id: 'U0NEXT',
      owner_email: null,
      nags_sent: 0,
      snoozed_until: null,
      nag_cycle: before.nag_cycle + 1,
      dm_key: 'deal:reassigned',
    });
    await releaseUnreachableDeal(db, deal.id, 'deal:dm');
    expect((await getDeal(db, TEAM, deal.id))?.owner_user_id).toBe('U0NEXT');
    await releaseUnreachableDeal(db, deal.id, 'deal:reassigned');
    expect(await getDeal(db, TEAM, deal.id)).toMatchObject({ owner_user_id: null, dm_key: null });
  });

  it('finds the deals due for reminders, page by page, and claims each step once', async () => {
    const { db } = database;
    const account = await anAccount(db, { ownerUserId: 'U0NAG' });
    const closed = new Date('2026-03-01T12:00:00Z');
    const due = await aDeal(db, account, { closed_at: closed });
    const complete = await aDeal(db, account, { closed_at: closed });
    await handoff(complete, true);
    await aDeal(db, account, { closed_at: new Date('2026-03-10T12:00:00Z') });
    await aDeal(db, account, { closed_at: closed, owner_user_id: null });
    const candidates = await reminderCandidates(db, new Date('2026-03-05T00:00:00Z'), due.id - 1, 500);
    expect(candidates.map((d) => d.id)).toEqual([due.id]);
    expect(candidates[0]).toMatchObject({
      account_name: account.name,
      acc_id: account.id,
      handoff_fields: null,
    });
    expect(await reminderCandidates(db, new Date('2026-03-05T00:00:00Z'), due.id, 500)).toEqual([]);

    const at = new Date('2026-03-05T09:00:00Z');
    const first = { dealId: due.id, n: 1, nagCycle: due.nag_cycle, ownerUserId: 'U0NAG', at };
    expect(await claimReminder(db, first)).toBe(true);
    expect(await claimReminder(db, first)).toBe(false);
    expect(await claimReminder(db, { ...first, n: 2, ownerUserId: 'U0SOMEONE' })).toBe(false);
    expect(await claimReminder(db, { ...first, n: 2, nagCycle: due.nag_cycle + 1 })).toBe(false);
    expect(await getDeal(db, TEAM, due.id)).toMatchObject({ nags_sent: 1, last_nag_at: at });
    const escalation = { dealId: due.id, nagCycle: due.nag_cycle, at };
    expect(await claimEscalation(db, escalation)).toBe(true);
    expect(await claimEscalation(db, escalation)).toBe(false);
    expect(await reminderCandidates(db, new Date('2026-03-05T00:00:00Z'), 0, 500)).not.toContainEqual(
      expect.objectContaining({ id: due.id }),
    );
  });

  it('tells a reminder’s guard who owns the deal and whether its handoff is complete', async () => {
    const { db } = database;
    const deal = await aDeal(db, await anAccount(db, { ownerUserId: 'U0GUARD' }));
    expect(await reminderGuardState(db, deal.id)).toEqual({ owner_user_id: 'U0GUARD', complete: null });
    await handoff(deal, true);
    expect(await reminderGuardState(db, deal.id)).toEqual({ owner_user_id: 'U0GUARD', complete: true });
    expect(await reminderGuardState(db, 0)).toBeUndefined();
  });

  it('finds the deal an invoice bills: its own, else the account’s latest, with the handoff', async () => {
    const { db } = database;
    const account = await anAccount(db, { ownerUserId: 'U0INV' });
    const older = await aDeal(db, account, { closed_at: new Date('2026-01-01T00:00:00Z') });
    const latest = await aDeal(db, account, { closed_at: new Date('2026-02-01T00:00:00Z') });
    await handoff(older, true);
    const own = await anInvoice(db, account, { deal_id: older.id });
    const none = await anInvoice(db, account);
    expect(await dealOfInvoice(db, TEAM, own.id)).toMatchObject({
      deal: { id: older.id },
      handoff: { deal_id: older.id, complete: true, submitted_by: 'U0REP' },
      fromLatestDeal: false,
    });
    expect(await dealOfInvoice(db, TEAM, none.id)).toMatchObject({
      deal: { id: latest.id },
      handoff: undefined,
      fromLatestDeal: true,
    });
    expect(await dealOfInvoice(db, OTHER_TEAM, own.id)).toBeUndefined();
    const bare = await anInvoice(db, await anAccount(db));
    expect(await dealOfInvoice(db, TEAM, bare.id)).toBeUndefined();
  });
});
