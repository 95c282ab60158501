import type { Account, Queryable } from '../db/schema.ts';
import { enqueue, type NewNotification, type Target } from '../outbox/outbox.ts';
import { accountThreadRoot } from '../views/collections-messages.ts';

type ThreadAccount = Pick<Account, 'id' | 'team_id' | 'name' | 'owner_user_id' | 'thread_ts'>;

/**
 * The account's thread in the finance channel, as an outbox target. The channel is the workspace's
 * finance channel at delivery (its Settings, else FINANCE_CHANNEL_ID), so a thread started after the
 * channel changed starts in the new one.
 */
export function accountThread(account: Pick<Account, 'id'>): Extract<Target, { kind: 'account_thread' }> {
  return { kind: 'account_thread', accountId: account.id, channel: null };
}

/** A short root message for an account whose thread a collections event starts. */
export function threadRootNotification(account: ThreadAccount): NewNotification {
  return {
    teamId: account.team_id,
    dedupeKey: `account:${account.id}:root`,
    target: { ...accountThread(account), rootOnly: true },
    message: accountThreadRoot({ accountName: account.name, repUserId: account.owner_user_id }),
  };
}

/**
 * The target for a collections post in the account's thread. An account without a thread gets a
 * short root message first (queued before the post, so it is delivered first), the post replies to it.
 */
export async function accountThreadTarget(trx: Queryable, account: ThreadAccount): Promise<Target> {
  if (!account.thread_ts) await enqueue(trx, threadRootNotification(account));
  return accountThread(account);
}
