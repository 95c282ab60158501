import type { Deps } from '../../deps.ts';
import type { ArBridgeApp } from '../args.ts';
import { answering } from '../middleware/answer.ts';
import { appHomeOpened } from './app-home.ts';
import { threadReply } from './thread-reply.ts';

export function register(app: ArBridgeApp, deps: Deps): void {
  app.message(answering(threadReply(deps)));
  app.event('app_home_opened', answering(appHomeOpened(deps)));
}
