import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.ts';
import { INTAKE_DISPATCH_ACTION_PREFIX } from '../../views/intake-modal.ts';
import { claimDeal } from './claim-deal.ts';
import { intakeDispatch } from './intake-dispatch.ts';
import { notMyDeal } from './not-my-deal.ts';
import { openHandoff } from './open-handoff.ts';
import { snoozeHandoff } from './snooze-handoff.ts';

export function register(app: App, deps: Deps): void {
  app.action('handoff_open', openHandoff(deps));
  app.action('deal_claim', claimDeal(deps));
  app.action('handoff_snooze', snoozeHandoff(deps));
  app.action('handoff_not_mine', notMyDeal(deps));
  app.action(new RegExp(`^${INTAKE_DISPATCH_ACTION_PREFIX}`), intakeDispatch(deps));
}
