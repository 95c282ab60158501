import { describe, expect, it } from 'vitest';
import { databaseErrorCode } from '../../src/db/errors.ts';
import type { Queryable } from '../../src/db/schema.ts';
import { useTestDatabase } from '../support/db.ts';
import { aDeal, anAccount, anInvoice, OTHER_TEAM, TEAM } from '../support/rows.ts';

const database = useTestDatabase();

const FOREIGN_KEY_VIOLATION = '23503';

async function refused(attempt: Promise<unknown>): Promise<string | undefined> {
  try {
    await attempt;
  } catch (error) {
    return databaseErrorCode(error);
  }
  return 'accepted';
}

/** Rows of TEAM that every link below tries to point at from OTHER_TEAM. */
async function theirs(db: Queryable) {
  const account = await anAccount(db, { teamId: TEAM });
  const deal = await aDeal(db, account);
  const invoice = await anInvoice(db, account);
  return { account, deal, invoice };
}

describe('composite foreign keys: the database refuses a link into another workspace', () => {
  it('refuses every cross-workspace link, and accepts the same link inside one workspace', async () => {
    const { db } = database;
    const t = await theirs(db);
    const mine = await anAccount(db, { teamId: OTHER_TEAM });
    const attempts: Record<string, () => Promise<unknown>> = {
      'deals.account_id': () => aDeal(db, t.account, { team_id: OTHER_TEAM }),
      'invoices.account_id': () => anInvoice(db, t.account, { team_id: OTHER_TEAM }),
      'invoices.deal_id': () => anInvoice(db, mine, { deal_id: t.deal.id }),
      'handoffs.deal_id': () =>
        db
          .insertInto('handoffs')
          .values({
            deal_id: t.deal.id,
            team_id: OTHER_TEAM,
            fields: '{}',
            complete: false,
            submitted_by: 'U0REP',
            submitted_at: new Date(),
          })
          .execute(),
      'collection_updates.account_id': () =>
        db
          .insertInto('collection_updates')
          .values({ team_id: OTHER_TEAM, account_id: t.account.id, kind: 'note', author_user_id: 'U0AR' })
          .execute(),
      'collection_updates.invoice_id': () =>
        db
          .insertInto('collection_updates')
          .values({
            team_id: OTHER_TEAM,
            account_id: mine.id,
            invoice_id: t.invoice.id,
            kind: 'note',
            author_user_id: 'U0AR',
          })
          .execute(),
      'asks.account_id': () =>
        db
          .insertInto('asks')
          .values({
            team_id: OTHER_TEAM,
            account_id: t.account.id,
            direction: 'to_ar',
            asked_by: 'U0REP',
            question: 'PO?',
            source_key: 'cross:1',
          })
          .execute(),
      'asks.invoice_id': () =>
        db
          .insertInto('asks')
          .values({
            team_id: OTHER_TEAM,
            account_id: mine.id,
            invoice_id: t.invoice.id,
            direction: 'to_ar',
            asked_by: 'U0REP',
            question: 'PO?',
            source_key: 'cross:2',
          })
          .execute(),
    };
    const outcomes: Record<string, string | undefined> = {};
    for (const [link, attempt] of Object.entries(attempts)) outcomes[link] = await refused(attempt());
    expect(outcomes).toEqual(
      Object.fromEntries(Object.keys(attempts).map((k) => [k, FOREIGN_KEY_VIOLATION])),
    );

    // Within one workspace the same links hold.
    const deal = await aDeal(db, mine);
    const invoice = await anInvoice(db, mine, { deal_id: deal.id });
    expect(invoice).toMatchObject({ team_id: OTHER_TEAM, deal_id: deal.id, account_id: mine.id });
  });

  it('refuses moving a row to another workspace while rows of its own still point at it', async () => {
    const { db } = database;
    const t = await theirs(db);
    expect(
      await refused(
        db.updateTable('deals').set({ team_id: OTHER_TEAM }).where('id', '=', t.deal.id).execute(),
      ),
    ).toBe(FOREIGN_KEY_VIOLATION);
  });
});
