import { describe, expect, it } from 'vitest';
import { firstSighting, forget, forgetSeenBefore } from '../../src/db/seen-requests.ts';
import { useTestDatabase } from '../support/db.ts';
import { OTHER_TEAM, TEAM } from '../support/rows.ts';

const database = useTestDatabase();

describe('db/seen-requests', () => {
  it('sees a request once per workspace, until it is forgotten', async () => {
    const { db } = database;
    expect(await firstSighting(db, TEAM, 'event:Ev1')).toBe(true);
    expect(await firstSighting(db, TEAM, 'event:Ev1')).toBe(false);
    expect(await firstSighting(db, OTHER_TEAM, 'event:Ev1')).toBe(true);
    await forget(db, TEAM, 'event:Ev1');
    expect(await firstSighting(db, TEAM, 'event:Ev1')).toBe(true);
  });

  it('forgets what was seen before a time', async () => {
    const { db } = database;
    await firstSighting(db, TEAM, 'event:old');
    await forgetSeenBefore(db, new Date(Date.now() - 60_000));
    expect(await firstSighting(db, TEAM, 'event:old')).toBe(false);
    await forgetSeenBefore(db, new Date(Date.now() + 60_000));
    expect(await firstSighting(db, TEAM, 'event:old')).toBe(true);
  });
});
