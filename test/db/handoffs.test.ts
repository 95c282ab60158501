import { describe, expect, it } from 'vitest';
import { writeHandoff } from '../../src/db/handoffs.ts';
import { useTestDatabase } from '../support/db.ts';
import { aDeal, anAccount, TEAM } from '../support/rows.ts';

const database = useTestDatabase();

describe('db/handoffs', () => {
  it('writes versions of a handoff; it stays completed at the first completion', async () => {
    const { db } = database;
    const deal = await aDeal(db, await anAccount(db, { ownerUserId: 'U0REP' }));
    const write = (complete: boolean, at: string, previous?: Awaited<ReturnType<typeof writeHandoff>>) =>
      db.transaction().execute((trx) =>
        writeHandoff(
          trx,
          {
            teamId: TEAM,
            dealId: deal.id,
            fields: { legalEntity: at },
            complete,
            submittedBy: 'U0REP',
            at: new Date(at),
          },
          previous,
        ),
      );
    const draft = await write(false, '2026-03-01T10:00:00Z');
    expect(draft).toMatchObject({
      version: 1,
      complete: false,
      completed_at: null,
      fields: { legalEntity: '2026-03-01T10:00:00Z' },
    });
    const done = await write(true, '2026-03-02T10:00:00Z', draft);
    expect(done).toMatchObject({
      version: 2,
      complete: true,
      completed_at: new Date('2026-03-02T10:00:00Z'),
    });
    const edited = await write(true, '2026-03-03T10:00:00Z', done);
    expect(edited).toMatchObject({
      version: 3,
      submitted_at: new Date('2026-03-03T10:00:00Z'),
      completed_at: new Date('2026-03-02T10:00:00Z'),
    });
    expect((await write(false, '2026-03-04T10:00:00Z', edited)).completed_at).toBeNull();
  });
});
