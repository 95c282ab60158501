import { describe, expect, it } from 'vitest';
import {
  disputeReasonLabels,
  disputeReasons,
  hasCollectionUpdate,
  insertCollectionUpdate,
  insertCollectionUpdates,
  lastUpdatesOf,
} from '../../src/db/collection-updates.ts';
import type { Account, NewCollectionUpdate } from '../../src/db/schema.ts';
import { useTestDatabase } from '../support/db.ts';
import { anAccount, anInvoice, OTHER_TEAM, TEAM } from '../support/rows.ts';

const database = useTestDatabase();

const update = (account: Account, o: Partial<NewCollectionUpdate>): NewCollectionUpdate => ({
  team_id: account.team_id,
  account_id: account.id,
  kind: 'note',
  ...o,
});

describe('db/collection-updates', () => {
  it('logs an update once per source key and workspace', async () => {
    const { db } = database;
    const account = await anAccount(db);
    const id = await insertCollectionUpdate(db, update(account, { note: 'first', source_key: 'msg:C1:1.1' }));
    expect(id).toEqual(expect.any(Number));
    expect(
      await insertCollectionUpdate(db, update(account, { note: 'again', source_key: 'msg:C1:1.1' })),
    ).toBeUndefined();
    expect(await insertCollectionUpdate(db, update(account, { note: 'no key' }))).toEqual(expect.any(Number));
    expect(await hasCollectionUpdate(db, TEAM, 'msg:C1:1.1')).toBe(true);
    expect(await hasCollectionUpdate(db, OTHER_TEAM, 'msg:C1:1.1')).toBe(false);
    await insertCollectionUpdates(db, [
      update(account, { kind: 'payment_received', amount_cents: 5, source_key: 'import:1' }),
      update(account, { kind: 'payment_received', amount_cents: 5, source_key: 'msg:C1:1.1' }),
    ]);
    expect(await hasCollectionUpdate(db, TEAM, 'import:1')).toBe(true);
  });

  it('gives each invoice its latest update, about it or about its account as a whole', async () => {
    const { db } = database;
    const account = await anAccount(db);
    const a = await anInvoice(db, account);
    const b = await anInvoice(db, account);
    const c = await anInvoice(db, await anAccount(db));
    const at = (iso: string) => new Date(iso);
    await insertCollectionUpdate(
      db,
      update(account, {
        invoice_id: a.id,
        kind: 'contacted',
        note: 'a old',
        created_at: at('2026-05-01T10:00:00Z'),
      }),
    );
    await insertCollectionUpdate(
      db,
      update(account, {
        invoice_id: a.id,
        kind: 'promise_to_pay',
        note: 'a new',
        author_user_id: 'U0AR',
        created_at: at('2026-05-03T10:00:00Z'),
      }),
    );
    await insertCollectionUpdate(
      db,
      update(account, { note: 'account-wide', created_at: at('2026-05-02T10:00:00Z') }),
    );
    const latest = await lastUpdatesOf(db, [
      { id: a.id, accountId: account.id },
      { id: b.id, accountId: account.id },
      { id: c.id, accountId: c.account_id },
    ]);
    expect(latest.get(a.id)).toEqual({
      kind: 'promise_to_pay',
      note: 'a new',
      authorUserId: 'U0AR',
      at: at('2026-05-03T10:00:00Z'),
    });
    expect(latest.get(b.id)).toMatchObject({ kind: 'note', note: 'account-wide' });
    expect(latest.has(c.id)).toBe(false);
    expect(await lastUpdatesOf(db, [])).toEqual(new Map());
  });

  it('labels the reason of each invoice’s latest dispute', async () => {
    const { db } = database;
    const account = await anAccount(db);
    const invoice = await anInvoice(db, account);
    const opened = (reason: string, iso: string) =>
      insertCollectionUpdate(
        db,
        update(account, {
          invoice_id: invoice.id,
          kind: 'dispute_opened',
          dispute_reason: reason,
          created_at: new Date(iso),
        }),
      );
    await opened('pricing_error', '2026-05-01T10:00:00Z');
    await opened('po_missing_or_wrong', '2026-05-04T10:00:00Z');
    expect(await disputeReasonLabels(db, [invoice.id])).toEqual(
      new Map([[invoice.id, 'PO missing or wrong']]),
    );
    expect(await disputeReasons(db, [invoice.id])).toEqual(new Map([[invoice.id, 'po_missing_or_wrong']]));
    expect(await disputeReasonLabels(db, [])).toEqual(new Map());
  });
});
