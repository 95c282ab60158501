import { markUninstalled } from '../db/installations.ts';
import type { Deps } from '../deps.ts';

export type UninstallReason = 'app_uninstalled' | 'tokens_revoked';

/**
 * The workspace uninstalled the app, or revoked its bot token: its tokens are deleted, and from
 * now on nothing is sent there. Its queued messages are kept, not sent: the outbox claims rows of
 * installed workspaces only, and the sweeps skip it. A reinstall resumes them, in order (their
 * targets and guards are resolved at delivery, so what became moot meanwhile is dropped then).
 */
export async function workspaceUninstalled(
  deps: Pick<Deps, 'db' | 'logger'>,
  teamId: string,
  reason: UninstallReason,
): Promise<boolean> {
  const changed = await markUninstalled(deps.db, teamId, reason);
  if (changed)
    deps.logger.warn(
      { team: teamId, reason },
      'AR Bridge was removed from a workspace: its tokens are deleted and its messages wait for a reinstall',
    );
  return changed;
}
