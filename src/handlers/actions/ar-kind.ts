import type { Deps } from '../../deps.ts';
import { redrawModal } from '../../slack/modals.ts';
import { arUpdateModal, readArUpdateState } from '../../views/ar-update-modal.ts';
import type { ActionArgs } from '../args.ts';

/** The kind of update decides which fields the AR modal asks for: redraw it. */
export function arKindChanged(_deps: Deps) {
  return async function arKindListener({ ack, body, client }: ActionArgs): Promise<void> {
    await ack();
    const view = body.view;
    if (!view) return;
    const values = view.state.values as Record<string, Record<string, unknown>>;
    const state = readArUpdateState(values);
    const selected = (
      values.target?.ar_target as { selected_option?: { value: string; text: { text: string } } } | undefined
    )?.selected_option;
    await redrawModal(
      client,
      view,
      arUpdateModal({
        target: selected ? { value: selected.value, label: selected.text.text } : null,
        kind: state.kind,
      }),
    );
  };
}
