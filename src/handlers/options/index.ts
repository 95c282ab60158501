import type { Deps } from '../../deps.ts';
import { arUpdateTargets } from '../../flows/ar-updates.ts';
import { AR_TARGET_ACTION_ID, targetOption } from '../../views/ar-update-modal.ts';
import type { ArBridgeApp, OptionsArgs } from '../args.ts';
import { answering } from '../middleware/answer.ts';

/** The invoice/account picker of /ar-update: options answered from indexed prefix searches. */
export function arTargetOptions(deps: Deps) {
  return async function arTargetOptionsListener({ ack, body, context }: OptionsArgs): Promise<void> {
    const found = await arUpdateTargets(deps, context.teamId, body.value);
    await ack({ options: found.map(targetOption) });
  };
}

export function register(app: ArBridgeApp, deps: Deps): void {
  app.options({ action_id: AR_TARGET_ACTION_ID }, answering(arTargetOptions(deps)));
}
