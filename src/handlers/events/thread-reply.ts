import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { saveThreadNote } from '../../flows/thread-notes.ts';
import type { EventArgs } from '../args.ts';

/** A person's reply in a thread (not the thread's root), with some text. */
const reply = z.object({
  user: z.string().min(1),
  bot_id: z.unknown().optional(),
  text: z.string().refine((t) => t.trim() !== ''),
  ts: z.string(),
  thread_ts: z.string(),
  channel: z.string(),
});

/**
 * A reply written in an account's thread by AR staff or the account's owning rep is saved as a
 * note on the account. Bots, edits, deletions and other threads are ignored; the message's
 * channel and ts make it idempotent, so a Slack retry saves it once.
 */
export function threadReply(deps: Deps) {
  return async function threadReplyListener({ message, context }: EventArgs<'message'>): Promise<void> {
    if (message.subtype !== undefined && message.subtype !== 'thread_broadcast') return;
    const m = reply.safeParse(message);
    if (!m.success || m.data.bot_id || m.data.thread_ts === m.data.ts) return;
    await saveThreadNote(deps, {
      teamId: context.teamId,
      userId: m.data.user,
      text: m.data.text,
      channel: m.data.channel,
      ts: m.data.ts,
      threadTs: m.data.thread_ts,
    });
  };
}
