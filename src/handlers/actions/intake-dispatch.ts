import type { Deps } from '../../deps.ts';
import { dealContext } from '../../flows/handoff.ts';
import { settingsFor } from '../../flows/settings.ts';
import { redrawModal } from '../../slack/modals.ts';
import { metadataId } from '../../views/common.ts';
import { intakeModalFor, readIntakeState } from '../../views/intake-modal.ts';
import type { ActionArgs } from '../args.ts';

/**
 * An answer that changes which questions apply (terms, PO, delivery, discounts, tax): redraw the
 * modal with what the rep has typed so far, adding or removing the dependent fields.
 */
export function intakeDispatch(deps: Deps) {
  return async function intakeDispatchListener({ ack, body, client, context }: ActionArgs): Promise<void> {
    await ack();
    const view = body.view;
    const dealId = view ? metadataId(view.private_metadata, 'dealId') : null;
    const ctx = view && dealId !== null ? await dealContext(deps, context.teamId, dealId) : undefined;
    if (!view || !ctx) return;
    const fields = readIntakeState(view.state.values as Record<string, Record<string, unknown>>);
    const terms = (await settingsFor(deps, context.teamId)).STANDARD_TERMS_DAYS;
    await redrawModal(client, view, intakeModalFor(ctx, terms, fields));
  };
}
