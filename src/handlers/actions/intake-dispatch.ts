import { getDealContext } from '../../db/deals.ts';
import type { Deps } from '../../deps.ts';
import { intakeViewFor } from '../../flows/handoff.ts';
import { redrawModal } from '../../slack/modals.ts';
import { readIntakeState } from '../../views/intake-modal.ts';
import type { ActionArgs } from '../args.ts';
import { dealIdFromMetadata } from '../views/intake-submit.ts';

/**
 * An answer that changes which questions apply (terms, PO, delivery, discounts, tax): redraw the
 * modal with what the rep has typed so far, adding or removing the dependent fields.
 */
export function intakeDispatch(deps: Deps) {
  return async function intakeDispatchListener({ ack, body, client, context }: ActionArgs): Promise<void> {
    await ack();
    const view = body.view;
    if (!view) return;
    const dealId = dealIdFromMetadata(view.private_metadata);
    const ctx = dealId === null ? undefined : await getDealContext(deps.db, context.teamId, dealId);
    if (!ctx) return;
    const fields = readIntakeState(view.state.values as Record<string, Record<string, unknown>>);
    await redrawModal(client, view, intakeViewFor(deps, ctx, fields));
  };
}
