import type { ModalView } from '@slack/types';
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
