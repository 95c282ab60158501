import { beforeAll, describe, expect, it } from 'vitest';
import { findTarget, searchTargets } from '../../src/db/search.ts';
import { useTestDatabase } from '../support/db.ts';
import { anAccount, anInvoice, OTHER_TEAM, TEAM } from '../support/rows.ts';

const database = useTestDatabase();
beforeAll(async () => {
  const { db } = database;
  const globex = await anAccount(db, { name: 'Globex Corporation' });
  await anAccount(db, { name: 'Big Globex' });
  await anAccount(db, { name: '100% Widgets' });
  await anInvoice(db, globex, { number: 'GX-100' });
  await anInvoice(db, globex, { number: 'GX-101' });
  await anAccount(db, { teamId: OTHER_TEAM, name: 'Globex Elsewhere' });
});

describe('db/search', () => {
  it('offers invoices by number prefix, then accounts by name prefix, then anywhere in the name', async () => {
    const found = await searchTargets(database.db, TEAM, 'gx-10');
    expect(found.map((t) => t.label)).toEqual(['GX-100 · Globex Corporation', 'GX-101 · Globex Corporation']);
    const byName = await searchTargets(database.db, TEAM, 'globex');
    expect(byName.map((t) => [t.type, t.label])).toEqual([
      ['account', 'Globex Corporation'],
      ['account', 'Big Globex'],
    ]);
    expect(await searchTargets(database.db, TEAM, '  ')).toEqual([]);
  });

  it('treats % and _ as text', async () => {
    expect((await searchTargets(database.db, TEAM, '100%')).map((t) => t.label)).toEqual(['100% Widgets']);
    expect(await searchTargets(database.db, TEAM, '_')).toEqual([]);
  });

  it('finds the one target of /ar-update: an exact invoice number, else the best account', async () => {
    expect(await findTarget(database.db, TEAM, 'gx-101')).toMatchObject({
      type: 'invoice',
      label: 'GX-101 · Globex Corporation',
    });
    expect(await findTarget(database.db, TEAM, 'Globex')).toMatchObject({
      type: 'account',
      label: 'Globex Corporation',
    });
    expect(await findTarget(database.db, TEAM, 'Initech')).toBeNull();
    expect(await findTarget(database.db, TEAM, '')).toBeNull();
  });
});
