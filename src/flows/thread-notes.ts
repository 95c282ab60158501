import { findAccountByThread } from '../db/accounts.ts';
import { insertCollectionUpdate } from '../db/collection-updates.ts';
import type { Deps } from '../deps.ts';
import { answerFromThread } from './asks.ts';
import { isArStaffIn } from './settings.ts';

/** Notes longer than this are cut. */
const NOTE_MAX = 4_000;
/**
 * A reply can arrive before the outbox has recorded the thread it replies to (Slack answered the
 * root's post, the row is being updated): look again for this long before deciding it is not an
 * account's thread.
 */
const THREAD_SETTLE_MS = [250, 500, 1_000, 2_000];

/** A person's reply in a thread of the finance channel. */
export interface ThreadReply {
  teamId: string;
  userId: string;
  text: string;
  channel: string;
  ts: string;
  threadTs: string;
}

/**
 * A reply written in an account's thread by AR staff or the account's owning rep is saved as a
 * note on the account; the message's channel and ts make it idempotent. Returns whether it was
 * a reply to keep (an account's thread, by someone who may write there).
 */
export async function saveThreadNote(
  deps: Pick<Deps, 'db' | 'config' | 'clock' | 'notify'>,
  reply: ThreadReply,
): Promise<boolean> {
  let account = await findAccountByThread(deps.db, reply.teamId, reply.channel, reply.threadTs);
  for (const wait of THREAD_SETTLE_MS) {
    if (account) break;
    await new Promise((resolve) => setTimeout(resolve, wait));
    account = await findAccountByThread(deps.db, reply.teamId, reply.channel, reply.threadTs);
  }
  if (!account) return false;
  if (reply.userId !== account.owner_user_id && !(await isArStaffIn(deps, reply.teamId, reply.userId)))
    return false;
  const id = await insertCollectionUpdate(deps.db, {
    team_id: reply.teamId,
    account_id: account.id,
    author_user_id: reply.userId,
    kind: 'note',
    note: reply.text.trim().slice(0, NOTE_MAX),
    source_key: `msg:${reply.channel}:${reply.ts}`,
    created_at: deps.clock.now(),
  });
  // A first delivery of the reply (not a retry) may answer an ask the writer owes on this account.
  if (id !== undefined) {
    const answered = await deps.db.transaction().execute((trx) =>
      answerFromThread(deps, trx, {
        teamId: reply.teamId,
        accountId: account.id,
        userId: reply.userId,
        text: reply.text,
      }),
    );
    if (answered) deps.notify();
  }
  return true;
}
