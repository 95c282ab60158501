import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.ts';
import { appHomeOpened } from './app-home.ts';
import { threadReply } from './thread-reply.ts';

export function register(app: App, deps: Deps): void {
  app.message(threadReply(deps));
  app.event('app_home_opened', appHomeOpened(deps));
}
