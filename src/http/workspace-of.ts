import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Workspaces } from '../slack/workspaces.ts';
import { sendProblems } from './respond.ts';

export type WorkspaceOfRequest =
  /** `named`: the URL named it with `?team=`, so that workspace's own secrets (Settings) apply. */
  { ok: true; teamId: string; named: boolean } | { ok: false; status: 400 | 404; problem: string };

/**
 * The workspace a webhook or API request writes to: the one its URL names with `?team=<team_id>`,
 * which must be served (installed, or the single workspace); without `team`, the single workspace
 * (single-workspace mode), else a problem (multi-workspace mode needs `team`).
 */
export type WorkspaceOf = (req: IncomingMessage) => Promise<WorkspaceOfRequest>;

/** A webhook or API request for a workspace that cannot be written to: 400/404 JSON, nothing stored. */
export function refuseWorkspace(res: ServerResponse, team: Extract<WorkspaceOfRequest, { ok: false }>): void {
  sendProblems(res, team.status, 'unknown workspace: nothing was stored', [team.problem]);
}

const TEAM_ID = /^T[A-Z0-9]{2,20}$/;

/** The `?team=` of a request's URL, or null. */
export function teamParam(req: IncomingMessage): string | null {
  return new URL(req.url ?? '/', 'http://localhost').searchParams.get('team');
}

export function workspaceOfRequest(
  workspaces: Pick<Workspaces, 'defaultTeamId' | 'isInstalled'>,
): WorkspaceOf {
  return async (req) => {
    const team = teamParam(req);
    if (!team) {
      if (workspaces.defaultTeamId !== null)
        return { ok: true, teamId: workspaces.defaultTeamId, named: false };
      return {
        ok: false,
        status: 400,
        problem: 'name the workspace in the URL: ?team=<team_id> (its Slack team id, T…)',
      };
    }
    if (!TEAM_ID.test(team))
      return { ok: false, status: 400, problem: 'team must be a Slack team id such as T0123ABCD' };
    if (!(await workspaces.isInstalled(team)))
      return { ok: false, status: 404, problem: `AR Bridge is not installed in workspace ${team}` };
    return { ok: true, teamId: team, named: true };
  };
}
