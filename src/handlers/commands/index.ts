import type { Deps } from '../../deps.ts';
import type { ArBridgeApp } from '../args.ts';
import { answering } from '../middleware/answer.ts';
import { arStatusCommand } from './ar-status.ts';
import { arUpdateCommand } from './ar-update.ts';
import { handoffCommand } from './handoff.ts';

export function register(app: ArBridgeApp, deps: Deps): void {
  app.command('/handoff', answering(handoffCommand(deps)));
  app.command('/ar-update', answering(arUpdateCommand(deps)));
  app.command('/ar-status', answering(arStatusCommand(deps)));
}
