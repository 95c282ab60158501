import { describe, expect, it } from 'vitest';
import { advanceStripeObject, invoiceNumberForPayments, linkStripePayments } from '../../src/db/stripe.ts';
import { useTestDatabase } from '../support/db.ts';
import { OTHER_TEAM, TEAM } from '../support/rows.ts';

const database = useTestDatabase();
const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, s));

describe('db/stripe', () => {
  it('applies an object state only when it is newer: a later event, or further along in the same second', async () => {
    const advance = (s: number, rank: number) =>
      database.db
        .transaction()
        .execute((trx) =>
          advanceStripeObject(trx, TEAM, { objectId: 'in_1', eventAt: at(s), rank, invoiceNumber: 'INV-1' }),
        );
    expect(await advance(10, 1)).toBe(true);
    expect(await advance(5, 3)).toBe(false);
    expect(await advance(10, 3)).toBe(true);
    expect(await advance(10, 1)).toBe(false);
    expect(await advance(11, 1)).toBe(true);
    expect(
      await database.db
        .transaction()
        .execute((trx) =>
          advanceStripeObject(trx, OTHER_TEAM, { objectId: 'in_1', eventAt: at(0), rank: 0 }),
        ),
    ).toBe(true);
  });

  it('finds our invoice number through a payment intent or charge, per workspace', async () => {
    const { db } = database;
    await db
      .transaction()
      .execute((trx) =>
        advanceStripeObject(trx, TEAM, { objectId: 'in_2', eventAt: at(1), rank: 1, invoiceNumber: 'INV-2' }),
      );
    await linkStripePayments(db, TEAM, 'in_2', ['pi_2', 'ch_2']);
    await linkStripePayments(db, TEAM, 'in_unknown', ['pi_9']);
    expect(await invoiceNumberForPayments(db, TEAM, ['ch_2'])).toBe('INV-2');
    expect(await invoiceNumberForPayments(db, TEAM, ['pi_x', 'pi_2'])).toBe('INV-2');
    expect(await invoiceNumberForPayments(db, TEAM, ['pi_9'])).toBeNull();
    expect(await invoiceNumberForPayments(db, OTHER_TEAM, ['pi_2'])).toBeNull();
    expect(await invoiceNumberForPayments(db, TEAM, [])).toBeNull();
  });
});
