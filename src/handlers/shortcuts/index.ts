import type { Deps } from '../../deps.ts';
import { SEND_TO_AR_SHORTCUT_ID } from '../../views/asks.ts';
import type { ArBridgeApp } from '../args.ts';
import { answering } from '../middleware/answer.ts';
import { sendToArShortcut } from './send-to-ar.ts';

export function register(app: ArBridgeApp, deps: Deps): void {
  app.shortcut(
    { callback_id: SEND_TO_AR_SHORTCUT_ID, type: 'message_action' },
    answering(sendToArShortcut(deps)),
  );
}
