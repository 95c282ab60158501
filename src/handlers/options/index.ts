import { searchTargets } from '../../db/search.ts';
import type { Deps } from '../../deps.ts';
import { AR_TARGET_ACTION_ID, targetOption } from '../../views/ar-update-modal.ts';
import type { ArBridgeApp, OptionsArgs } from '../args.ts';

/** The invoice/account picker of /ar-update: options answered from indexed prefix searches. */
export function arTargetOptions(deps: Deps) {
  return async function arTargetOptionsListener({ ack, body, context }: OptionsArgs): Promise<void> {
    const found = await searchTargets(deps.db, context.teamId, body.value, 10);
    await ack({ options: found.map(targetOption) });
  };
}

export function register(app: ArBridgeApp, deps: Deps): void {
  app.options({ action_id: AR_TARGET_ACTION_ID }, arTargetOptions(deps));
}
