import type { Deps } from '../../deps.ts';
import { saveConnectorCredentials } from '../../flows/workspace-settings.ts';
import { inlineErrors, noticeUpdate } from '../../views/common.ts';
import { readConnectorState } from '../../views/settings.ts';
import type { ViewArgs } from '../args.ts';

/** A connector's credentials saved from Settings: sealed, bad values shown inline. */
export function connectorSubmit(deps: Deps) {
  return async function connectorSubmitListener({ ack, body, view, context }: ViewArgs): Promise<void> {
    const { connector, fields } = readConnectorState(view.private_metadata, view.state.values);
    if (connector === null) return ack(noticeUpdate('Something is off', 'Please open Settings again.'));
    const result = await saveConnectorCredentials(deps, {
      teamId: context.teamId,
      userId: body.user.id,
      connector,
      fields,
    });
    if (result.status === 'forbidden')
      return ack(
        noticeUpdate('Admins only', 'Only workspace admins and Settings admins may change credentials.'),
      );
    if (result.status === 'invalid') return ack(inlineErrors(result.errors));
    await ack();
  };
}
