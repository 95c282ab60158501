import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findInstallation, saveInstallation } from '../../src/db/installations.ts';
import { resealAll, SEALED_COLUMNS } from '../../src/db/sealed.ts';
import { createKeyring } from '../../src/secrets.ts';
import { useTestDatabase } from '../support/db.ts';
import { anInstallation } from '../support/rows.ts';

const database = useTestDatabase();

describe('db/sealed', () => {
  it('reseals every value an older key sealed with the newest key, and leaves the rest', async () => {
    const { db } = database;
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = createKeyring([oldKey]);
    await saveInstallation(
      db,
      anInstallation('T0SEALA', {
        sealedBotToken: before.seal('xoxb-a'),
        sealedRefreshToken: before.seal('xoxe-a'),
      }),
    );
    const rotated = createKeyring([newKey, oldKey]);
    await saveInstallation(db, anInstallation('T0SEALB', { sealedBotToken: rotated.seal('xoxb-b') }));
    const untouched = (await findInstallation(db, 'T0SEALB'))?.bot_token;

    const keys = { isStale: rotated.isStale, reseal: (v: string) => rotated.seal(rotated.open(v)) };
    const counts = await resealAll(db, keys);
    expect(counts.map((c) => c.column)).toEqual(SEALED_COLUMNS.map(([t, c]) => `${t}.${c}`));
    expect(counts).toContainEqual({ column: 'installations.bot_token', sealed: 2, resealed: 1 });
    expect(counts).toContainEqual({ column: 'installations.bot_refresh_token', sealed: 1, resealed: 1 });

    const newest = createKeyring([newKey]);
    const a = await findInstallation(db, 'T0SEALA');
    expect(newest.open(a?.bot_token as string)).toBe('xoxb-a');
    expect(newest.open(a?.bot_refresh_token as string)).toBe('xoxe-a');
    expect((await findInstallation(db, 'T0SEALB'))?.bot_token).toBe(untouched);
    // Nothing is left for a second run.
    expect((await resealAll(db, keys)).every((c) => c.resealed === 0)).toBe(true);
  });
});
