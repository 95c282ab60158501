import type { Account, Queryable } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { enqueue, type NewNotification, type Target } from '../outbox/outbox.ts';
import { accountThreadRoot } from '../views/collections-messages.ts';

type ThreadAccount = Pick<Account, 'id' | 'team_id' | 'name' | 'owner_user_id' | 'thread_ts'>;

/** The account's thread in the finance channel, as an outbox target. */
export function accountThread(
  deps: Pick<Deps, 'config'>,
  account: Pick<Account, 'id'>,
): Extract<Target, { kind: 'account_thread' }> {
  return { kind: 'account_thread', accountId: account.id, channel: deps.config.FINANCE_CHANNEL_ID };
}

/** A short root message for an account whose thread a collections event starts. */
export function threadRootNotification(deps: Pick<Deps, 'config'>, account: ThreadAccount): NewNotification {
  return {
    teamId: account.team_id,
    dedupeKey: `account:${account.id}:root`,
    target: { ...accountThread(deps, account), rootOnly: true },
    message: accountThreadRoot({ accountName: account.name, repUserId: account.owner_user_id }),
  };
}

/**
 * The target for a collections post in the account's thread. An account without a thread gets a
 * short root message first (queued before the post, so it is delivered first), the post replies to it.
 */
export async function accountThreadTarget(
  deps: Pick<Deps, 'config'>,
  trx: Queryable,
  account: ThreadAccount,
): Promise<Target> {
  if (!account.thread_ts) await enqueue(trx, threadRootNotification(deps, account));
  return accountThread(deps, account);
}
