import type { Deps } from '../../deps.ts';
import type { ArBridgeApp } from '../args.ts';
import { answering } from '../middleware/answer.ts';
import { appHomeOpened } from './app-home.ts';
import { threadReply } from './thread-reply.ts';
import { appUninstalled, tokensRevoked } from './uninstalled.ts';

export function register(app: ArBridgeApp, deps: Deps): void {
  app.message(answering(threadReply(deps)));
  app.event('app_home_opened', answering(appHomeOpened(deps)));
  if (deps.workspaces.multi) {
    app.event('app_uninstalled', answering(appUninstalled(deps)));
    app.event('tokens_revoked', answering(tokensRevoked(deps)));
  }
}
