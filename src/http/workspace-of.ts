import type { IncomingMessage } from 'node:http';
import type { Workspaces } from '../slack/workspaces.ts';

export type WorkspaceOfRequest =
  | { ok: true; teamId: string }
  | { ok: false; status: 400 | 404; problem: string };

/**
 * The workspace a webhook or API request writes to. Single-workspace mode: the one workspace.
 * Multi-workspace mode: the one its URL names with `?team=<team_id>`, which must be installed.
 */
export type WorkspaceOf = (req: IncomingMessage) => Promise<WorkspaceOfRequest>;

const TEAM_ID = /^T[A-Z0-9]{2,20}$/;

export function workspaceOfRequest(
  workspaces: Pick<Workspaces, 'defaultTeamId' | 'isInstalled'>,
): WorkspaceOf {
  return async (req) => {
    if (workspaces.defaultTeamId !== null) return { ok: true, teamId: workspaces.defaultTeamId };
    const team = new URL(req.url ?? '/', 'http://localhost').searchParams.get('team');
    if (!team)
      return {
        ok: false,
        status: 400,
        problem: 'name the workspace in the URL: ?team=<team_id> (its Slack team id, T…)',
      };
    if (!TEAM_ID.test(team))
      return { ok: false, status: 400, problem: 'team must be a Slack team id such as T0123ABCD' };
    if (!(await workspaces.isInstalled(team)))
      return { ok: false, status: 404, problem: `AR Bridge is not installed in workspace ${team}` };
    return { ok: true, teamId: team };
  };
}
