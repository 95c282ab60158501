import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.ts';
import { threadReply } from './thread-reply.ts';

export function register(app: App, deps: Deps): void {
  app.message(threadReply(deps));
}
