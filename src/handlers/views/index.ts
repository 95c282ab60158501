import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.ts';
import { INTAKE_CALLBACK_ID } from '../../views/intake-modal.ts';
import { NEW_DEAL_CALLBACK_ID } from '../../views/new-deal.ts';
import { intakeSubmit } from './intake-submit.ts';
import { newDealSubmit } from './new-deal-submit.ts';

export function register(app: App, deps: Deps): void {
  app.view({ callback_id: INTAKE_CALLBACK_ID, type: 'view_submission' }, intakeSubmit(deps));
  app.view({ callback_id: NEW_DEAL_CALLBACK_ID, type: 'view_submission' }, newDealSubmit(deps));
}
