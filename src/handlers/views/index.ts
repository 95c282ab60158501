import type { Deps } from '../../deps.ts';
import { AR_UPDATE_CALLBACK_ID } from '../../views/ar-update-modal.ts';
import { ANSWER_CALLBACK_ID, ASK_CALLBACK_ID, SEND_TO_AR_CALLBACK_ID } from '../../views/asks.ts';
import { ASSIGN_REP_CALLBACK_ID } from '../../views/assign-rep.ts';
import { INTAKE_CALLBACK_ID } from '../../views/intake-modal.ts';
import { NEW_DEAL_CALLBACK_ID } from '../../views/new-deal.ts';
import { REASSIGN_CALLBACK_ID } from '../../views/reassign.ts';
import { CONNECTOR_CALLBACK_ID, SETTINGS_CALLBACK_ID } from '../../views/settings.ts';
import type { ArBridgeApp } from '../args.ts';
import { answering } from '../middleware/answer.ts';
import { answerSubmit } from './answer-submit.ts';
import { arUpdateSubmit } from './ar-update-submit.ts';
import { askSubmit, sendToArSubmit } from './ask-submit.ts';
import { assignRepSubmit } from './assign-rep-submit.ts';
import { connectorSubmit } from './connector-submit.ts';
import { intakeSubmit } from './intake-submit.ts';
import { newDealSubmit } from './new-deal-submit.ts';
import { reassignSubmit } from './reassign-submit.ts';
import { settingsSubmit } from './settings-submit.ts';

export function register(app: ArBridgeApp, deps: Deps): void {
  app.view({ callback_id: INTAKE_CALLBACK_ID, type: 'view_submission' }, answering(intakeSubmit(deps)));
  app.view({ callback_id: NEW_DEAL_CALLBACK_ID, type: 'view_submission' }, answering(newDealSubmit(deps)));
  app.view({ callback_id: REASSIGN_CALLBACK_ID, type: 'view_submission' }, answering(reassignSubmit(deps)));
  app.view({ callback_id: AR_UPDATE_CALLBACK_ID, type: 'view_submission' }, answering(arUpdateSubmit(deps)));
  app.view(
    { callback_id: ASSIGN_REP_CALLBACK_ID, type: 'view_submission' },
    answering(assignRepSubmit(deps)),
  );
  app.view({ callback_id: ASK_CALLBACK_ID, type: 'view_submission' }, answering(askSubmit(deps)));
  app.view({ callback_id: ANSWER_CALLBACK_ID, type: 'view_submission' }, answering(answerSubmit(deps)));
  app.view({ callback_id: SEND_TO_AR_CALLBACK_ID, type: 'view_submission' }, answering(sendToArSubmit(deps)));
  app.view({ callback_id: SETTINGS_CALLBACK_ID, type: 'view_submission' }, answering(settingsSubmit(deps)));
  app.view({ callback_id: CONNECTOR_CALLBACK_ID, type: 'view_submission' }, answering(connectorSubmit(deps)));
}
