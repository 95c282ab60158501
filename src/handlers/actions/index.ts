import type { Deps } from '../../deps.ts';
import { AR_KIND_ACTION_ID } from '../../views/ar-update-modal.ts';
import { INTAKE_DISPATCH_ACTION_PREFIX } from '../../views/intake-modal.ts';
import type { ArBridgeApp } from '../args.ts';
import { answering } from '../middleware/answer.ts';
import { arKindChanged } from './ar-kind.ts';
import { arStatusPick } from './ar-status-pick.ts';
import { arStatusShare } from './ar-status-share.ts';
import { askAnswerButton } from './ask-answer.ts';
import { askArButton } from './ask-ar.ts';
import { askOpenButton } from './ask-open.ts';
import { assignRepButton } from './assign-rep.ts';
import { claimDealButton } from './claim-deal.ts';
import { firstInvoiceSentButton } from './first-invoice-sent.ts';
import { intakeDispatch } from './intake-dispatch.ts';
import { notMyDeal } from './not-my-deal.ts';
import { openHandoff } from './open-handoff.ts';
import { reachOutButton } from './reach-out.ts';
import { snoozeHandoff } from './snooze-handoff.ts';

export function register(app: ArBridgeApp, deps: Deps): void {
  app.action('handoff_open', answering(openHandoff(deps)));
  app.action('deal_claim', answering(claimDealButton(deps)));
  app.action('handoff_snooze', answering(snoozeHandoff(deps)));
  app.action('handoff_not_mine', answering(notMyDeal(deps)));
  app.action(AR_KIND_ACTION_ID, answering(arKindChanged()));
  app.action('collections_contacted', answering(reachOutButton(deps)));
  app.action('collections_ask_ar', answering(askArButton(deps)));
  app.action('collections_assign_rep', answering(assignRepButton(deps)));
  app.action('first_invoice_sent', answering(firstInvoiceSentButton(deps)));
  app.action('ask_open', answering(askOpenButton(deps)));
  app.action('ask_answer', answering(askAnswerButton(deps)));
  app.action('ar_status_pick', answering(arStatusPick(deps)));
  app.action('ar_status_share', answering(arStatusShare(deps)));
  app.action(new RegExp(`^${INTAKE_DISPATCH_ACTION_PREFIX}`), answering(intakeDispatch(deps)));
}
