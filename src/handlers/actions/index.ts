import type { Deps } from '../../deps.ts';
import { AR_KIND_ACTION_ID } from '../../views/ar-update-modal.ts';
import { INTAKE_DISPATCH_ACTION_PREFIX } from '../../views/intake-modal.ts';
import type { ArBridgeApp } from '../args.ts';
import { arKindChanged } from './ar-kind.ts';
import { arStatusPick } from './ar-status-pick.ts';
import { arStatusShare } from './ar-status-share.ts';
import { askArButton } from './ask-ar.ts';
import { assignRepButton } from './assign-rep.ts';
import { claimDealButton } from './claim-deal.ts';
import { intakeDispatch } from './intake-dispatch.ts';
import { notMyDeal } from './not-my-deal.ts';
import { openHandoff } from './open-handoff.ts';
import { reachOutButton } from './reach-out.ts';
import { snoozeHandoff } from './snooze-handoff.ts';

export function register(app: ArBridgeApp, deps: Deps): void {
  app.action('handoff_open', openHandoff(deps));
  app.action('deal_claim', claimDealButton(deps));
  app.action('handoff_snooze', snoozeHandoff(deps));
  app.action('handoff_not_mine', notMyDeal(deps));
  app.action(AR_KIND_ACTION_ID, arKindChanged());
  app.action('collections_contacted', reachOutButton(deps));
  app.action('collections_ask_ar', askArButton(deps));
  app.action('collections_assign_rep', assignRepButton(deps));
  app.action('ar_status_pick', arStatusPick(deps));
  app.action('ar_status_share', arStatusShare(deps));
  app.action(new RegExp(`^${INTAKE_DISPATCH_ACTION_PREFIX}`), intakeDispatch(deps));
}
