import type { Deps } from '../../deps.ts';
import { recordSlackDeal } from '../../flows/deal-closed.ts';
import { settingsFor } from '../../flows/settings.ts';
import { inlineErrors } from '../../views/common.ts';
import { intakeModalFor } from '../../views/intake-modal.ts';
import { newDealErrors, readNewDealState } from '../../views/new-deal.ts';
import type { ViewArgs } from '../args.ts';

/** A deal entered by the rep in Slack: created, owned by them, and the intake follows in the same modal. */
export function newDealSubmit(deps: Deps) {
  return async function newDealSubmitListener({ ack, body, view, context }: ViewArgs): Promise<void> {
    const recorded = await recordSlackDeal(deps, {
      teamId: context.teamId,
      userId: body.user.id,
      viewId: view.id,
      draft: readNewDealState(view.state.values),
    });
    if (!recorded.ok) return ack(inlineErrors(newDealErrors(recorded.problems)));
    await ack({
      response_action: 'update',
      view: intakeModalFor(recorded.ctx, (await settingsFor(deps, context.teamId)).STANDARD_TERMS_DAYS),
    });
  };
}
