import { redrawModal } from '../../slack/modals.ts';
import { arUpdateModalRedrawn } from '../../views/ar-update-modal.ts';
import type { ActionArgs } from '../args.ts';

/** The kind of update decides which fields the AR modal asks for: redraw it. */
export function arKindChanged() {
  return async function arKindListener({ ack, body, client }: ActionArgs): Promise<void> {
    await ack();
    if (!body.view) return;
    const values = body.view.state.values as Record<string, Record<string, unknown>>;
    await redrawModal(client, body.view, arUpdateModalRedrawn(values));
  };
}
