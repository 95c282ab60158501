import type { ModalView } from '@slack/types';
import { z } from 'zod';
import { truncate } from './text.ts';

/** A small read-only modal for telling someone why nothing happened (works wherever a trigger_id exists). */
export function noticeModal(title: string, text: string): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: truncate(title, 24) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }],
  };
}

/** The answer to a view submission that replaces the modal with a notice. */
export function noticeUpdate(title: string, text: string): { response_action: 'update'; view: ModalView } {
  return { response_action: 'update', view: noticeModal(title, text) };
}

/** The answer to a view submission that shows problems under the inputs they are about (by block id). */
export function inlineErrors(errors: Record<string, string>): {
  response_action: 'errors';
  errors: Record<string, string>;
} {
  return { response_action: 'errors', errors };
}

const METADATA = {
  askId: z.object({ askId: z.number().int().positive() }),
  dealId: z.object({ dealId: z.number().int().positive() }),
  accountId: z.object({ accountId: z.number().int().positive() }),
};

/** The id a modal's private_metadata carries under `key` (as the modal wrote it), else null. */
export function metadataId(privateMetadata: string | undefined, key: keyof typeof METADATA): number | null {
  try {
    const parsed = METADATA[key].safeParse(JSON.parse(privateMetadata ?? ''));
    return parsed.success ? ((parsed.data as Record<string, number>)[key] ?? null) : null;
  } catch {
    return null;
  }
}

const userChoice = z.object({ value: z.object({ selected_user: z.string().min(1) }) });

/** The person chosen in a modal's users_select input (block `blockId`, action `value`), or null. */
export function selectedUser(values: unknown, blockId: string): string | null {
  const parsed = userChoice.safeParse((values as Record<string, unknown> | null | undefined)?.[blockId]);
  return parsed.success ? parsed.data.value.selected_user : null;
}

/** What someone is told when handling their click, command or form failed unexpectedly. */
export const LISTENER_FAILED_TEXT =
  'Sorry, something went wrong on our side and that did not go through. Please try again in a moment.';

/** The notice shown over a modal when an action inside it failed (the modal underneath is kept). */
export function listenerFailedModal(): ModalView {
  return noticeModal('Something went wrong', LISTENER_FAILED_TEXT);
}

const withInputs = z.object({
  view: z.object({ blocks: z.array(z.looseObject({ type: z.string(), block_id: z.string().optional() })) }),
});

/**
 * The acknowledgement a failed listener sends when it had not acknowledged yet, by kind of
 * payload: an ephemeral reply to a command, an error under a form's first input (nothing typed is
 * lost), an empty option list; undefined where a plain acknowledgement is all Slack takes.
 */
export function listenerFailedAck(body: unknown): object | undefined {
  const b = (body ?? {}) as { type?: unknown; command?: unknown };
  if (typeof b.command === 'string') return { response_type: 'ephemeral', text: LISTENER_FAILED_TEXT };
  if (b.type === 'block_suggestion') return { options: [] };
  if (b.type !== 'view_submission') return undefined;
  const parsed = withInputs.safeParse(body);
  const input = parsed.success
    ? parsed.data.view.blocks.find((blk) => blk.type === 'input' && blk.block_id)
    : undefined;
  return input?.block_id
    ? inlineErrors({ [input.block_id]: LISTENER_FAILED_TEXT })
    : { response_action: 'push', view: listenerFailedModal() };
}
