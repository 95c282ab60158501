import { describe, expect, it } from 'vitest';
import { insertCollectionUpdate } from '../../src/db/collection-updates.ts';
import {
  claimDigest,
  digestClaimed,
  digestFacts,
  digestManagers,
  openInvoiceFacts,
  workspaceOpenFacts,
} from '../../src/db/digest.ts';
import { writeHandoff } from '../../src/db/handoffs.ts';
import { setManager, upsertPerson } from '../../src/db/people.ts';
import { digestWeek } from '../../src/domain/digest.ts';
import { useTestDatabase } from '../support/db.ts';
import { aDeal, anAccount, anInvoice, OTHER_TEAM, TEAM } from '../support/rows.ts';

const database = useTestDatabase();
const week = digestWeek(new Date('2026-12-07T08:00:00Z'), 'UTC');

describe('db/digest', () => {
  it('reads the week’s facts for everyone or for a team of reps, in its workspace only', async () => {
    const { db } = database;
    const mine = await anAccount(db, { ownerUserId: 'U0DREP1' });
    const theirs = await anAccount(db, { ownerUserId: 'U0DREP2' });
    const elsewhere = await anAccount(db, { teamId: OTHER_TEAM, ownerUserId: 'U0DREP1' });
    const done = await aDeal(db, mine, { closed_at: new Date('2026-12-02T10:00:00Z') });
    await db.transaction().execute((trx) =>
      writeHandoff(
        trx,
        {
          teamId: TEAM,
          dealId: done.id,
          fields: {},
          complete: true,
          submittedBy: 'U0DREP1',
          at: new Date('2026-12-03T10:00:00Z'),
        },
        undefined,
      ),
    );
    await aDeal(db, theirs, { closed_at: new Date('2026-12-04T10:00:00Z') });
    await aDeal(db, elsewhere, { closed_at: new Date('2026-12-04T10:00:00Z') });
    const overdue = await anInvoice(db, mine, {
      issued_on: '2026-10-01',
      due_on: '2026-11-01',
      balance_cents: 40_000,
    });
    await anInvoice(db, theirs, { currency: 'EUR', issued_on: '2026-11-20', due_on: '2026-12-20' });
    await anInvoice(db, elsewhere, { issued_on: '2026-10-01', due_on: '2026-11-01' });
    await anInvoice(db, mine, { status: 'void', issued_on: '2026-11-25', due_on: '2026-12-25' });
    await insertCollectionUpdate(db, {
      team_id: TEAM,
      account_id: mine.id,
      invoice_id: overdue.id,
      kind: 'payment_received',
      amount_cents: 10_000,
      source_key: 'digest-db-payment',
      created_at: new Date('2026-12-05T10:00:00Z'),
    });
    await insertCollectionUpdate(db, {
      team_id: TEAM,
      account_id: theirs.id,
      kind: 'dispute_opened',
      dispute_reason: 'discount_missing_or_wrong',
      source_key: 'digest-db-dispute',
      created_at: new Date('2026-12-06T10:00:00Z'),
    });

    const all = await digestFacts(db, TEAM, null, week);
    expect(all.handoffs.map((h) => [h.ownerUserId, h.completedAt?.toISOString() ?? null]).sort()).toEqual([
      ['U0DREP1', '2026-12-03T10:00:00.000Z'],
      ['U0DREP2', null],
    ]);
    expect(all.incomplete).toEqual([{ ownerUserId: 'U0DREP2', count: 1 }]);
    expect(all.open.map((o) => [o.ownerUserId, o.currency, o.dueOn, o.balanceCents, o.count]).sort()).toEqual(
      [
        ['U0DREP1', 'USD', '2026-11-01', 40_000, 1],
        ['U0DREP2', 'EUR', '2026-12-20', 50_000, 1],
      ],
    );
    expect(all.payments).toEqual([
      { currency: 'USD', amountCents: 10_000, at: new Date('2026-12-05T10:00:00Z') },
    ]);
    expect(all.dsoPayments).toEqual([
      { currency: 'USD', issuedOn: '2026-10-01', amountCents: 10_000, at: new Date('2026-12-05T10:00:00Z') },
    ]);
    expect(all.disputes).toEqual([
      { reason: 'discount_missing_or_wrong', at: new Date('2026-12-06T10:00:00Z') },
    ]);
    // Void invoices are no sales and no receivables.
    expect(all.issued.map((f) => [f.currency, f.issuedOn, f.amountCents, f.balanceCents]).sort()).toEqual([
      ['EUR', '2026-11-20', 50_000, 50_000],
      ['USD', '2026-10-01', 50_000, 40_000],
    ]);

    const team = await digestFacts(db, TEAM, ['U0DREP1'], week);
    expect(team.handoffs.map((h) => h.ownerUserId)).toEqual(['U0DREP1']);
    expect(team.incomplete).toEqual([]);
    expect(team.open.map((o) => o.ownerUserId)).toEqual(['U0DREP1']);
    expect(team.disputes).toEqual([]);
    expect(await digestFacts(db, TEAM, [], week)).toMatchObject({ handoffs: [], open: [], issued: [] });
    expect(await openInvoiceFacts(db, OTHER_TEAM, null)).toHaveLength(1);
    const rollup = await workspaceOpenFacts(db, TEAM);
    expect(rollup.map((o) => [o.currency, o.dueOn, o.balanceCents, o.count]).sort()).toEqual([
      ['EUR', '2026-12-20', 50_000, 1],
      ['USD', '2026-11-01', 40_000, 1],
    ]);
  });

  it('lists managers with their team and time zone, and claims a digest once per reader and occurrence', async () => {
    const { db } = database;
    for (const userId of ['U0MREP1', 'U0MREP2', 'U0MBOSS']) await upsertPerson(db, TEAM, { userId });
    await upsertPerson(db, TEAM, { userId: 'U0MBOSS', tz: 'Australia/Sydney' });
    await setManager(db, TEAM, 'U0MREP1', 'U0MBOSS');
    await setManager(db, TEAM, 'U0MREP2', 'U0MBOSS');
    await upsertPerson(db, OTHER_TEAM, { userId: 'U0MREP3' });
    await setManager(db, OTHER_TEAM, 'U0MREP3', 'U0MBOSS');
    expect(await digestManagers(db, TEAM)).toEqual([
      { userId: 'U0MBOSS', tz: 'Australia/Sydney', team: ['U0MREP1', 'U0MREP2'] },
    ]);
    const claim = { teamId: TEAM, reader: 'user:U0MBOSS', occurrence: '2026-12-07T08:00', week };
    expect(await digestClaimed(db, TEAM, claim.reader, claim.occurrence)).toBe(false);
    const results = await Promise.all(
      [1, 2, 3].map(() => db.transaction().execute((trx) => claimDigest(trx, claim))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await digestClaimed(db, TEAM, claim.reader, claim.occurrence)).toBe(true);
    expect(await digestClaimed(db, OTHER_TEAM, claim.reader, claim.occurrence)).toBe(false);
    expect(
      await db.transaction().execute((trx) => claimDigest(trx, { ...claim, occurrence: '2026-12-14T08:00' })),
    ).toBe(true);
  });
});
