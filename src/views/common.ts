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
