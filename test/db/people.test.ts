import { describe, expect, it } from 'vitest';
import {
  findPersonByEmail,
  getPerson,
  homeOpeners,
  markHomeOpened,
  peopleWithRole,
  setManager,
  upsertPerson,
} from '../../src/db/people.ts';
import { useTestDatabase } from '../support/db.ts';
import { OTHER_TEAM, TEAM } from '../support/rows.ts';

const database = useTestDatabase();

describe('db/people', () => {
  it('records what Slack says about a person, keeping what it did not say', async () => {
    const { db } = database;
    await upsertPerson(db, TEAM, {
      userId: 'U0DANA',
      email: 'Dana@Example.com',
      name: 'Dana',
      tz: 'Europe/Berlin',
    });
    await upsertPerson(db, TEAM, { userId: 'U0DANA', role: 'rep' });
    expect(await getPerson(db, TEAM, 'U0DANA')).toMatchObject({
      email: 'dana@example.com',
      name: 'Dana',
      tz: 'Europe/Berlin',
      role: 'rep',
      tz_checked_at: expect.any(Date),
    });
    expect((await findPersonByEmail(db, TEAM, 'DANA@example.com'))?.user_id).toBe('U0DANA');
    expect(await findPersonByEmail(db, OTHER_TEAM, 'dana@example.com')).toBeUndefined();
    expect(await getPerson(db, OTHER_TEAM, 'U0DANA')).toBeUndefined();
  });

  it('records managers', async () => {
    const { db } = database;
    await upsertPerson(db, TEAM, { userId: 'U0REP' });
    await setManager(db, TEAM, 'U0REP', 'U0BOSS');
    expect((await getPerson(db, TEAM, 'U0REP'))?.manager_user_id).toBe('U0BOSS');
    await setManager(db, TEAM, 'U0REP', null);
    expect((await getPerson(db, TEAM, 'U0REP'))?.manager_user_id).toBeNull();
  });

  it('lists the people with a role, per workspace', async () => {
    const { db } = database;
    await upsertPerson(db, TEAM, { userId: 'U0MGR2', role: 'manager' });
    await upsertPerson(db, TEAM, { userId: 'U0MGR1', role: 'manager' });
    await upsertPerson(db, TEAM, { userId: 'U0REP9', role: 'rep' });
    await upsertPerson(db, OTHER_TEAM, { userId: 'U0MGR3', role: 'manager' });
    expect(await peopleWithRole(db, TEAM, 'manager')).toEqual(['U0MGR1', 'U0MGR2']);
    await upsertPerson(db, TEAM, { userId: 'U0MGR2', role: 'rep' });
    expect(await peopleWithRole(db, TEAM, 'manager')).toEqual(['U0MGR1']);
    expect(await peopleWithRole(db, OTHER_TEAM, 'manager')).toEqual(['U0MGR3']);
  });

  it('remembers who opened App Home', async () => {
    const { db } = database;
    await upsertPerson(db, TEAM, { userId: 'U0NEVER' });
    await markHomeOpened(db, TEAM, 'U0OPENER');
    await markHomeOpened(db, TEAM, 'U0OPENER');
    expect(await homeOpeners(db, TEAM, ['U0OPENER', 'U0NEVER', 'U0UNKNOWN'])).toEqual(['U0OPENER']);
    expect(await homeOpeners(db, OTHER_TEAM, ['U0OPENER'])).toEqual([]);
    expect(await homeOpeners(db, TEAM, [])).toEqual([]);
  });
});
