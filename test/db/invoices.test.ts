import { describe, expect, it } from 'vitest';
import {
  analyzeInvoices,
  findInvoicesByNumber,
  getInvoice,
  getInvoiceWithAccount,
  lateOwingInvoicesOf,
  lockInvoice,
  lockOpenInvoices,
  markPastHold,
  markPromiseBroken,
  owingCentsOf,
  patchInvoice,
  pingCandidateIds,
  setInvoiceBalance,
  setPingedThreshold,
  upsertInvoiceRows,
} from '../../src/db/invoices.ts';
import { useTestDatabase } from '../support/db.ts';
import { addDays, anAccount, anInvoice, OTHER_TEAM, TEAM } from '../support/rows.ts';

const TODAY = '2026-06-15';
const THRESHOLDS = [1, 15, 30, 45, 60];

const database = useTestDatabase();

describe('db/invoices', () => {
  it('reads an invoice, with its account, in its workspace only', async () => {
    const { db } = database;
    const account = await anAccount(db);
    const invoice = await anInvoice(db, account);
    expect(await getInvoiceWithAccount(db, TEAM, invoice.id)).toMatchObject({
      invoice: { id: invoice.id },
      account: { id: account.id },
    });
    expect(await getInvoiceWithAccount(db, OTHER_TEAM, invoice.id)).toBeUndefined();
    expect(await getInvoice(db, OTHER_TEAM, invoice.id)).toBeUndefined();
    expect((await db.transaction().execute((trx) => lockInvoice(trx, TEAM, invoice.id))).id).toBe(invoice.id);
  });

  it('upserts by number: new rows are inserted, known numbers updated', async () => {
    const { db } = database;
    const account = await anAccount(db);
    const row = {
      team_id: TEAM,
      number: 'UPS-1',
      account_id: account.id,
      amount_cents: 10_000,
      balance_cents: 10_000,
      currency: 'USD',
      issued_on: '2026-01-01',
      due_on: '2026-01-31',
    };
    await upsertInvoiceRows(db, [row]);
    await upsertInvoiceRows(db, [{ ...row, balance_cents: 4_000, due_on: '2026-02-15' }]);
    await upsertInvoiceRows(db, []);
    const [stored] = await findInvoicesByNumber(db, TEAM, ['UPS-1']);
    expect(stored).toMatchObject({ balance_cents: 4_000, due_on: '2026-02-15', status: 'open' });
    expect(await findInvoicesByNumber(db, OTHER_TEAM, ['UPS-1'])).toEqual([]);
    await analyzeInvoices(db);
  });

  it('applies what AR logs: a promise, a dispute, a write-off, a payment', async () => {
    const { db } = database;
    const invoice = await anInvoice(db, await anAccount(db));
    await patchInvoice(db, invoice.id, { promise_date: '2026-07-01', promise_broken_pinged: false });
    await patchInvoice(db, invoice.id, { dispute_state: 'open' });
    expect(await getInvoice(db, TEAM, invoice.id)).toMatchObject({
      promise_date: '2026-07-01',
      dispute_state: 'open',
    });
    const paidAt = new Date('2026-06-20T10:00:00Z');
    await setInvoiceBalance(db, invoice.id, { balance_cents: 0, status: 'paid', paid_at: paidAt });
    expect(await getInvoice(db, TEAM, invoice.id)).toMatchObject({
      balance_cents: 0,
      status: 'paid',
      paid_at: paidAt,
    });
    await patchInvoice(db, invoice.id, { status: 'void' });
    expect((await getInvoice(db, TEAM, invoice.id))?.status).toBe('void');
  });

  it('reads what credit hold weighs: the late invoices with a balance, and the balance in one currency', async () => {
    const { db } = database;
    const account = await anAccount(db);
    const other = await anAccount(db);
    const late = await anInvoice(db, account, { due_on: '2026-01-15' });
    await anInvoice(db, account, { due_on: '2026-03-02', balance_cents: 7_000 });
    const euros = await anInvoice(db, account, { currency: 'EUR', balance_cents: 900 });
    await anInvoice(db, account, { status: 'paid', balance_cents: 0 });
    await anInvoice(db, account, { balance_cents: 0 });
    await anInvoice(db, account, { balance_cents: -300 });
    const otherLate = await anInvoice(db, other, { due_on: '2026-03-01', balance_cents: 11 });
    const found = await lateOwingInvoicesOf(db, [account.id, other.id], '2026-03-01', 5);
    expect(found.invoices).toEqual([
      {
        account_id: account.id,
        number: late.number,
        balance_cents: 50_000,
        currency: 'USD',
        due_on: '2026-01-15',
      },
      {
        account_id: account.id,
        number: euros.number,
        balance_cents: 900,
        currency: 'EUR',
        due_on: '2026-02-01',
      },
      {
        account_id: other.id,
        number: otherLate.number,
        balance_cents: 11,
        currency: 'USD',
        due_on: '2026-03-01',
      },
    ]);
    expect([...found.counts]).toEqual([
      [account.id, 2],
      [other.id, 1],
    ]);
    // The oldest first, at most `perAccount` of each account, all of them counted.
    const oldest = await lateOwingInvoicesOf(db, [account.id, other.id], '2026-03-01', 1);
    expect(oldest.invoices.map((i) => i.number)).toEqual([late.number, otherLate.number]);
    expect([...oldest.counts]).toEqual([...found.counts]);
    expect((await lateOwingInvoicesOf(db, [account.id], '2026-01-14', 5)).invoices).toEqual([]);
    expect(await lateOwingInvoicesOf(db, [], '2026-03-01', 5)).toEqual({ invoices: [], counts: new Map() });
    const owing = await owingCentsOf(db, [
      { accountId: account.id, currency: 'USD' },
      { accountId: other.id, currency: 'EUR' },
    ]);
    expect([...owing]).toEqual([[account.id, 57_000]]);
    expect(await owingCentsOf(db, [])).toEqual(new Map());
  });

  it('finds the invoices that crossed a threshold or broke a promise, and records each ping', async () => {
    const { db } = database;
    const account = await anAccount(db);
    const late = (days: number, o = {}) => anInvoice(db, account, { due_on: addDays(TODAY, -days), ...o });
    const crossed1 = await late(1);
    const crossed20 = await late(20);
    const pinged15 = await late(20, { pinged_threshold: 15 });
    const disputed = await late(40, { dispute_state: 'open' });
    const promised = await late(40, { promise_date: addDays(TODAY, 3) });
    const broken = await late(40, { promise_date: addDays(TODAY, -1) });
    const notYet = await late(0);
    const ids = await pingCandidateIds(db, TODAY, THRESHOLDS);
    expect(ids).toEqual(expect.arrayContaining([crossed1.id, crossed20.id, broken.id]));
    for (const skipped of [pinged15, disputed, promised, notYet]) expect(ids).not.toContain(skipped.id);

    const held = await db.transaction().execute(async (trx) => {
      const rows = await lockOpenInvoices(trx, [crossed20.id, broken.id]);
      await setPingedThreshold(trx, [crossed20.id], 15);
      await setPingedThreshold(trx, [crossed20.id], 1);
      await markPromiseBroken(trx, broken.id, 30);
      return rows.map((r) => r.id).sort();
    });
    expect(held).toEqual([crossed20.id, broken.id].sort());
    expect((await getInvoice(db, TEAM, crossed20.id))?.pinged_threshold).toBe(15);
    expect(await getInvoice(db, TEAM, broken.id)).toMatchObject({
      promise_broken_pinged: true,
      pinged_threshold: 30,
    });
    const after = await pingCandidateIds(db, TODAY, THRESHOLDS);
    expect(after).not.toContain(crossed20.id);
    expect(after).not.toContain(broken.id);
  });

  it('marks invoices past the credit-hold line once, returning their accounts', async () => {
    const { db } = database;
    const account = await anAccount(db);
    await anInvoice(db, account, { due_on: addDays(TODAY, -61) });
    await anInvoice(db, account, { due_on: addDays(TODAY, -60) });
    await anInvoice(db, await anAccount(db), { due_on: addDays(TODAY, -59) });
    expect(await markPastHold(db, TODAY, 60)).toContain(account.id);
    expect(await markPastHold(db, TODAY, 60)).toEqual([]);
  });

  it('sweeps one workspace, or every one but those listed', async () => {
    const { db } = database;
    const here = await anInvoice(db, await anAccount(db), { due_on: addDays(TODAY, -70) });
    const there = await anInvoice(db, await anAccount(db, { teamId: OTHER_TEAM }), {
      due_on: addDays(TODAY, -70),
    });
    const only = await pingCandidateIds(db, TODAY, THRESHOLDS, { only: OTHER_TEAM });
    expect(only).toContain(there.id);
    expect(only).not.toContain(here.id);
    const rest = await pingCandidateIds(db, TODAY, THRESHOLDS, { except: [OTHER_TEAM] });
    expect(rest).toContain(here.id);
    expect(rest).not.toContain(there.id);
    expect(await markPastHold(db, TODAY, 60, { except: [TEAM] })).toEqual([there.account_id]);
    expect(await markPastHold(db, TODAY, 60, { only: TEAM })).toEqual([here.account_id]);
  });
});
