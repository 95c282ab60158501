import type { Deps } from '../../deps.ts';
import { workspaceUninstalled } from '../../flows/workspaces.ts';
import type { EventArgs } from '../args.ts';

/** app_uninstalled: Slack skips authorize for it, so only the workspace id is known. */
export function appUninstalled(deps: Deps) {
  return async function appUninstalledListener({ context }: EventArgs<'app_uninstalled'>): Promise<void> {
    await workspaceUninstalled(deps, context.teamId, 'app_uninstalled');
  };
}

/** tokens_revoked: only a revoked bot token stops the workspace (user tokens are not used). */
export function tokensRevoked(deps: Deps) {
  return async function tokensRevokedListener({
    event,
    context,
  }: EventArgs<'tokens_revoked'>): Promise<void> {
    if ((event.tokens.bot ?? []).length === 0) return;
    await workspaceUninstalled(deps, context.teamId, 'tokens_revoked');
  };
}
