import type { AllMiddlewareArgs, App, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import { searchTargets } from '../../db/search.ts';
import type { Deps } from '../../deps.ts';
import { AR_TARGET_ACTION_ID, targetOption } from '../../views/ar-update-modal.ts';

/** The invoice/account picker of /ar-update: options answered from indexed prefix searches. */
export function arTargetOptions(deps: Deps) {
  return async function arTargetOptionsListener({
    ack,
    body,
  }: AllMiddlewareArgs & SlackOptionsMiddlewareArgs<'block_suggestion'>): Promise<void> {
    const found = await searchTargets(deps.db, body.team?.id ?? deps.teamId, body.value, 10);
    await ack({ options: found.map(targetOption) });
  };
}

export function register(app: App, deps: Deps): void {
  app.options({ action_id: AR_TARGET_ACTION_ID }, arTargetOptions(deps));
}
