import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  cancelNotifications,
  claimDueNotifications,
  clearMaybePosted,
  findNotificationByKey,
  insertNotifications,
  listNotifications,
  markFinal,
  markSent,
  nextPendingAt,
  outboxStats,
  pendingThreadRoots,
  pruneNotifications,
  releaseClaims,
  renewClaim,
  reschedule,
  retryNotifications,
  wakeFinanceChannelRows,
} from '../../src/db/notifications.ts';
import type { NewNotificationRow } from '../../src/db/schema.ts';
import { useTestDatabase } from '../support/db.ts';
import { aDeal, anAccount, OTHER_TEAM, TEAM, unique } from '../support/rows.ts';

const database = useTestDatabase();
beforeEach(async () => {
  await database.db.deleteFrom('notifications').execute();
});

const row = (o: Partial<NewNotificationRow> = {}): NewNotificationRow => ({
  team_id: TEAM,
  dedupe_key: `n:${unique()}`,
  target: JSON.stringify({ kind: 'channel', channel: 'C1' }),
  message: JSON.stringify({ text: 'hello' }),
  guard: null,
  ...o,
});

describe('db/notifications', () => {
  it('makes due the waiting rows meant for the workspace’s finance channel, and no others', async () => {
    const { db } = database;
    const later = new Date(Date.now() + 60_000);
    const now = new Date();
    const finance = row({
      target: JSON.stringify({ kind: 'account_thread', accountId: 1, channel: null }),
      next_attempt_at: later,
    });
    const financePost = row({
      target: JSON.stringify({ kind: 'channel', channel: null }),
      next_attempt_at: later,
    });
    const named = row({ target: JSON.stringify({ kind: 'channel', channel: 'C1' }), next_attempt_at: later });
    const dm = row({ target: JSON.stringify({ kind: 'user', userId: 'U1' }), next_attempt_at: later });
    const elsewhere = row({
      team_id: OTHER_TEAM,
      target: JSON.stringify({ kind: 'channel', channel: null }),
      next_attempt_at: later,
    });
    await insertNotifications(db, [finance, financePost, named, dm, elsewhere]);
    expect(await wakeFinanceChannelRows(db, TEAM, now)).toBe(2);
    const due = async (r: NewNotificationRow) =>
      ((await findNotificationByKey(db, r.team_id, r.dedupe_key))?.next_attempt_at.getTime() ?? 0) <=
      now.getTime();
    expect([await due(finance), await due(financePost)]).toEqual([true, true]);
    expect([await due(named), await due(dm), await due(elsewhere)]).toEqual([false, false, false]);
  });

  it('inserts each dedupe key once per workspace, and says how many were new', async () => {
    const { db } = database;
    const first = row({ dedupe_key: 'once' });
    expect(await insertNotifications(db, [first, row()])).toBe(2);
    expect(await insertNotifications(db, [{ ...first, message: JSON.stringify({ text: 'other' }) }])).toBe(0);
    expect(await insertNotifications(db, [{ ...first, team_id: OTHER_TEAM }])).toBe(1);
    expect(await insertNotifications(db, [])).toBe(0);
    expect(await findNotificationByKey(db, TEAM, 'once')).toMatchObject({
      status: 'pending',
      attempts: 0,
      message: { text: 'hello' },
    });
  });

  it('stores rows as given, in the order given, the same key twice in one call once', async () => {
    const { db } = database;
    const keys = Array.from({ length: 40 }, (_, i) => `order:${39 - i}`);
    const text = 'Owes “$1,200” \\ "quoted" – 日本 😀\nnext line';
    const later = new Date('2030-01-02T03:04:05.678Z');
    expect(
      await insertNotifications(db, [
        ...keys.map((dedupe_key) => row({ dedupe_key })),
        row({ dedupe_key: 'order:0' }),
        row({
          dedupe_key: 'given',
          message: JSON.stringify({ text, blocks: [{ type: 'section' }] }),
          guard: JSON.stringify({ kind: 'handoff_incomplete', dealId: 7, ownerUserId: 'U1' }),
          next_attempt_at: later,
          status: 'failed',
          attempts: 3,
          last_error: 'not_in_channel',
        }),
      ]),
    ).toBe(41);
    const stored = await db.selectFrom('notifications').select(['id', 'dedupe_key']).orderBy('id').execute();
    expect(stored.map((r) => r.dedupe_key)).toEqual([...keys, 'given']);
    expect(await findNotificationByKey(db, TEAM, 'given')).toMatchObject({
      message: { text, blocks: [{ type: 'section' }] },
      guard: { kind: 'handoff_incomplete', dealId: 7, ownerUserId: 'U1' },
      next_attempt_at: later,
      status: 'failed',
      attempts: 3,
      last_error: 'not_in_channel',
      maybe_posted: false,
    });
  });

  it('claims due rows oldest first, for a while, counting the attempt', async () => {
    const { db } = database;
    await insertNotifications(db, [
      row({ dedupe_key: 'due-1' }),
      row({ dedupe_key: 'due-2' }),
      row({ dedupe_key: 'later', next_attempt_at: new Date(Date.now() + 60_000) }),
    ]);
    const claimed = await claimDueNotifications(db, 10, 60);
    expect(claimed.map((r) => [r.dedupe_key, r.status, r.attempts])).toEqual([
      ['due-1', 'sending', 1],
      ['due-2', 'sending', 1],
    ]);
    expect(claimed[0]?.claimed_until?.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(await claimDueNotifications(db, 10, 60)).toEqual([]);
    expect(await claimDueNotifications(db, 1, 60)).toEqual([]);
  });

  it('claims again a row whose claim expired (its worker died mid-delivery)', async () => {
    const { db } = database;
    await insertNotifications(db, [row({ dedupe_key: 'stuck' })]);
    await claimDueNotifications(db, 10, -1);
    const [again] = await claimDueNotifications(db, 10, 60);
    expect(again).toMatchObject({ dedupe_key: 'stuck', attempts: 2 });
  });

  it('marks a row sent, rescheduled (giving back a deferred attempt) or final', async () => {
    const { db } = database;
    await insertNotifications(db, [
      row({ dedupe_key: 'a' }),
      row({ dedupe_key: 'b' }),
      row({ dedupe_key: 'c' }),
    ]);
    const [a, b, c] = await claimDueNotifications(db, 10, 60);
    await markSent(db, a?.id as number, 'C1', '1.23');
    expect(await findNotificationByKey(db, TEAM, 'a')).toMatchObject({
      status: 'sent',
      channel: 'C1',
      ts: '1.23',
      claimed_until: null,
    });
    const at = new Date(Date.now() + 5_000);
    await reschedule(db, b?.id as number, at, 'pacing', { uncount: true });
    expect(await findNotificationByKey(db, TEAM, 'b')).toMatchObject({
      status: 'pending',
      attempts: 0,
      next_attempt_at: at,
      last_error: 'pacing',
    });
    expect(await nextPendingAt(db)).toEqual(at);
    await markFinal(db, c?.id as number, 'failed', 'channel_not_found');
    expect(await findNotificationByKey(db, TEAM, 'c')).toMatchObject({
      status: 'failed',
      last_error: 'channel_not_found',
    });
    await markFinal(db, b?.id as number, 'cancelled', 'moot');
    expect(await nextPendingAt(db)).toBeNull();
  });

  it('marks a row whose claim ran out as maybe posted, remembering its first attempt', async () => {
    const { db } = database;
    await insertNotifications(db, [row({ dedupe_key: 'crashed' })]);
    const [first] = await claimDueNotifications(db, 10, 60);
    expect(first).toMatchObject({ maybe_posted: false, attempts: 1 });
    const firstAttempt = first?.first_attempt_at as Date;
    expect(firstAttempt).toBeInstanceOf(Date);
    // Its worker dies: the claim runs out while the row is still being sent.
    await db
      .updateTable('notifications')
      .set({ claimed_until: sql<Date>`now() - interval '1 second'` as never })
      .execute();
    const [again] = await claimDueNotifications(db, 10, 60);
    expect(again).toMatchObject({ maybe_posted: true, attempts: 2, first_attempt_at: firstAttempt });
    await clearMaybePosted(db, again?.id as number);
    await reschedule(db, again?.id as number, new Date(), 'no answer', { maybePosted: true });
    expect(await findNotificationByKey(db, TEAM, 'crashed')).toMatchObject({
      status: 'pending',
      maybe_posted: true,
    });
    const [third] = await claimDueNotifications(db, 10, 60);
    await markSent(db, third?.id as number, 'C1', '2.0');
    expect(await findNotificationByKey(db, TEAM, 'crashed')).toMatchObject({
      status: 'sent',
      maybe_posted: false,
    });
  });

  it('renews a claim only for the worker that still holds it', async () => {
    const { db } = database;
    await insertNotifications(db, [row({ dedupe_key: 'held' })]);
    const [held] = await claimDueNotifications(db, 10, 1);
    expect(await renewClaim(db, held?.id as number, held?.attempts as number, 60)).toBe(true);
    const renewed = await findNotificationByKey(db, TEAM, 'held');
    expect(renewed?.claimed_until?.getTime()).toBeGreaterThan(Date.now() + 30_000);
    // Taken over by another worker (its claim counted another attempt): the old one's renewal fails.
    await db.updateTable('notifications').set({ attempts: 2 }).execute();
    expect(await renewClaim(db, held?.id as number, held?.attempts as number, 60)).toBe(false);
  });

  it('lists the undelivered messages that may start an account thread, oldest first', async () => {
    const { db } = database;
    const thread = (accountId: number, extra: Record<string, unknown>) =>
      JSON.stringify({ kind: 'account_thread', accountId, channel: 'CFIN', ...extra });
    await insertNotifications(db, [
      row({ dedupe_key: 'summary', target: thread(7, { startsThread: true }) }),
      row({ dedupe_key: 'ping', target: thread(7, {}) }),
      row({ dedupe_key: 'root', target: thread(7, { rootOnly: true }) }),
      row({ dedupe_key: 'other account', target: thread(8, { rootOnly: true }) }),
      row({ dedupe_key: 'other team', team_id: OTHER_TEAM, target: thread(7, { rootOnly: true }) }),
    ]);
    const keys = async () => {
      const found = await pendingThreadRoots(db, TEAM, 7);
      const rows = await db.selectFrom('notifications').select(['id', 'dedupe_key']).execute();
      return found.map((f) => rows.find((r) => r.id === f.id)?.dedupe_key);
    };
    expect(await keys()).toEqual(['summary', 'root']);
    const summary = await findNotificationByKey(db, TEAM, 'summary');
    await markSent(db, summary?.id as number, 'CFIN', '3.0');
    expect(await keys()).toEqual(['root']);
  });

  it('counts rows by status, and says how long the oldest due row has waited', async () => {
    const { db } = database;
    expect(await outboxStats(db)).toEqual({ byStatus: {}, oldestDueSeconds: null });
    await insertNotifications(db, [
      row({ next_attempt_at: new Date(Date.now() - 90_000) }),
      row({ next_attempt_at: new Date(Date.now() + 90_000) }),
      row({ status: 'failed' }),
      row({ status: 'sent' }),
    ]);
    const stats = await outboxStats(db);
    expect(stats.byStatus).toEqual({ pending: 2, failed: 1, sent: 1 });
    expect(stats.oldestDueSeconds).toBeGreaterThanOrEqual(89);
    expect(stats.oldestDueSeconds).toBeLessThan(300);
  });

  it('lists the newest rows, or the failed ones; retries failed and cancelled rows; cancels pending and failed ones', async () => {
    const { db } = database;
    await insertNotifications(db, [
      row({ dedupe_key: 'a' }),
      row({ dedupe_key: 'b', status: 'failed', attempts: 12, last_error: 'not_in_channel' }),
      row({ dedupe_key: 'c', status: 'sent' }),
      row({ dedupe_key: 'd', status: 'cancelled' }),
    ]);
    const all = await listNotifications(db, { failedOnly: false, limit: 10 });
    expect(all.map((r) => r.dedupe_key)).toEqual(['d', 'c', 'b', 'a']);
    expect(await listNotifications(db, { failedOnly: false, limit: 2 })).toHaveLength(2);
    const failed = await listNotifications(db, { failedOnly: true, limit: 10 });
    expect(failed).toMatchObject([{ dedupe_key: 'b', last_error: 'not_in_channel', attempts: 12 }]);
    const id = (key: string) => all.find((r) => r.dedupe_key === key)?.id as number;

    expect((await retryNotifications(db, [id('a'), id('b'), id('c'), id('d'), 999_999])).sort()).toEqual(
      [id('b'), id('d')].sort(),
    );
    expect(await findNotificationByKey(db, TEAM, 'b')).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await claimDueNotifications(db, 10, 30)).toHaveLength(3);

    await markFinal(db, id('b'), 'failed', 'is_archived');
    await reschedule(db, id('a'), new Date(), null);
    expect((await cancelNotifications(db, [id('a'), id('b'), id('c'), id('d')])).sort()).toEqual(
      [id('a'), id('b')].sort(),
    );
    expect(await findNotificationByKey(db, TEAM, 'a')).toMatchObject({ status: 'cancelled' });
    expect(await findNotificationByKey(db, TEAM, 'c')).toMatchObject({ status: 'sent' });
    expect(await retryNotifications(db, [])).toEqual([]);
    expect(await cancelNotifications(db, [])).toEqual([]);
  });

  it('gives claimed rows back, due now, without counting the attempt', async () => {
    const { db } = database;
    await insertNotifications(db, [row({ dedupe_key: 'r1' }), row({ dedupe_key: 'r2' })]);
    const claimed = await claimDueNotifications(db, 10, 30);
    await markSent(db, claimed[1]?.id as number, 'C1', '1.1');
    await releaseClaims(
      db,
      claimed.map((r) => r.id),
    );
    expect(await findNotificationByKey(db, TEAM, 'r1')).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await findNotificationByKey(db, TEAM, 'r2')).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('prunes finished rows older than the cut-off, keeping what is undelivered and the DMs that later edits update', async () => {
    const { db } = database;
    const old = new Date(Date.now() - 40 * 86_400_000);
    await insertNotifications(db, [
      row({ dedupe_key: 'old-sent', status: 'sent' }),
      row({ dedupe_key: 'old-failed', status: 'failed' }),
      row({ dedupe_key: 'old-cancelled', status: 'cancelled' }),
      row({ dedupe_key: 'old-pending' }),
      row({ dedupe_key: 'new-sent', status: 'sent' }),
      row({ dedupe_key: 'deal-dm', status: 'sent' }),
    ]);
    await sql`update notifications set created_at = ${old}, sent_at = ${old} where dedupe_key like 'old-%' or dedupe_key = 'deal-dm'`.execute(
      db,
    );
    await aDeal(db, await anAccount(db), { dm_key: 'deal-dm' });
    expect(await pruneNotifications(db, new Date(Date.now() - 30 * 86_400_000))).toBe(3);
    const left = await listNotifications(db, { failedOnly: false, limit: 10 });
    expect(left.map((r) => r.dedupe_key).sort()).toEqual(['deal-dm', 'new-sent', 'old-pending']);
  });
});
