import type { Deps } from '../../deps.ts';
import { sendToArModal } from '../../views/asks.ts';
import type { MessageShortcutArgs } from '../args.ts';

/** "Send to AR" on any message: the modal, with the message's text as the question. */
export function sendToArShortcut(_deps: Deps) {
  return async function sendToArListener({ ack, shortcut, client }: MessageShortcutArgs): Promise<void> {
    await ack();
    await client.views.open({
      trigger_id: shortcut.trigger_id,
      view: sendToArModal({
        question: shortcut.message.text ?? '',
        channel: shortcut.channel.id,
        ts: shortcut.message.ts,
      }),
    });
  };
}
