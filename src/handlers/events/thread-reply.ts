import type { Deps } from '../../deps.ts';
import { isArStaff } from '../../domain/permissions.ts';
import type { EventArgs } from '../args.ts';

/**
 * A reply written in an account's thread by AR staff or the account's owning rep is saved as a
 * note on the account. Bots, edits, deletions and other threads are ignored; the message's
 * channel and ts make it idempotent, so a Slack retry saves it once.
 */
export function threadReply(deps: Deps) {
  return async function threadReplyListener({ message, context }: EventArgs<'message'>): Promise<void> {
    if (message.subtype !== undefined && message.subtype !== 'thread_broadcast') return;
    const m = message as {
      user?: string;
      bot_id?: string;
      text?: string;
      ts: string;
      thread_ts?: string;
      channel: string;
    };
    if (!m.user || m.bot_id || !m.thread_ts || m.thread_ts === m.ts || !m.text?.trim()) return;
    const teamId = context.teamId;
    const account = await deps.db
      .selectFrom('accounts')
      .select(['id', 'owner_user_id'])
      .where('team_id', '=', teamId)
      .where('thread_channel', '=', m.channel)
      .where('thread_ts', '=', m.thread_ts)
      .executeTakeFirst();
    if (!account) return;
    if (m.user !== account.owner_user_id && !isArStaff(deps.config, m.user)) return;
    await deps.db
      .insertInto('collection_updates')
      .values({
        team_id: teamId,
        account_id: account.id,
        author_user_id: m.user,
        kind: 'note',
        note: m.text.trim().slice(0, 4_000),
        source_key: `msg:${m.channel}:${m.ts}`,
        created_at: deps.clock.now(),
      })
      .onConflict((oc) => oc.columns(['team_id', 'source_key']).doNothing())
      .execute();
  };
}
