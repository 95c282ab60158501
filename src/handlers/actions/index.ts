import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.ts';
import { INTAKE_DISPATCH_ACTION_PREFIX } from '../../views/intake-modal.ts';
import { claimDeal } from './claim-deal.ts';
import { intakeDispatch } from './intake-dispatch.ts';
import { openHandoff } from './open-handoff.ts';

export function register(app: App, deps: Deps): void {
  app.action('handoff_open', openHandoff(deps));
  app.action('deal_claim', claimDeal(deps));
  app.action(new RegExp(`^${INTAKE_DISPATCH_ACTION_PREFIX}`), intakeDispatch(deps));
}
