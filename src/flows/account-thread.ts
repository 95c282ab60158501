import type { Transaction } from 'kysely';
import type { Account, Database } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { enqueue, type Target } from '../outbox/outbox.ts';
import { accountThreadRoot } from '../views/collections-messages.ts';

type ThreadAccount = Pick<Account, 'id' | 'team_id' | 'name' | 'owner_user_id' | 'thread_ts'>;

/**
 * The target for a collections post in the account's thread. An account without a thread gets a
 * short root message first (queued before the post, so it is delivered first), the post replies to it.
 */
export async function accountThreadTarget(
  deps: Pick<Deps, 'config'>,
  trx: Transaction<Database>,
  account: ThreadAccount,
): Promise<Target> {
  const target: Target = {
    kind: 'account_thread',
    accountId: account.id,
    channel: deps.config.FINANCE_CHANNEL_ID,
  };
  if (!account.thread_ts) {
    await enqueue(trx, {
      teamId: account.team_id,
      dedupeKey: `account:${account.id}:root`,
      target: { ...target, rootOnly: true },
      message: accountThreadRoot({ accountName: account.name, repUserId: account.owner_user_id }),
    });
  }
  return target;
}
