import type { Deps } from '../deps.ts';
import * as actions from './actions/index.ts';
import type { ArBridgeApp } from './args.ts';
import * as commands from './commands/index.ts';
import * as events from './events/index.ts';
import * as options from './options/index.ts';
import * as shortcuts from './shortcuts/index.ts';
import * as views from './views/index.ts';

export function registerHandlers(app: ArBridgeApp, deps: Deps): void {
  actions.register(app, deps);
  commands.register(app, deps);
  views.register(app, deps);
  options.register(app, deps);
  events.register(app, deps);
  shortcuts.register(app, deps);
}
