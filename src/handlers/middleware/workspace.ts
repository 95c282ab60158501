import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';

/** What every listener finds in `context` besides Bolt's own: the request's workspace. */
export interface WorkspaceContext {
  teamId: string;
  /** Set once the request was acknowledged (see answer.ts). */
  answered?: boolean;
}

interface PayloadTeams {
  team_id?: unknown;
  team?: { id?: unknown } | null;
  user?: { team_id?: unknown } | null;
  view?: { team_id?: unknown } | null;
  event?: { team?: unknown } | null;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The workspace a Slack payload comes from, where Slack puts it for each kind: `team_id` (slash
 * commands, the Events API envelope), `team.id` (interactions, options), `user.team_id`,
 * `view.team_id` (modals), `event.team` (inside an event). Undefined when none is there.
 */
export function teamIdOf(body: unknown): string | undefined {
  const b = (body ?? {}) as PayloadTeams;
  return (
    text(b.team_id) ??
    text(b.team?.id) ??
    text(b.user?.team_id) ??
    text(b.view?.team_id) ??
    text(b.event?.team)
  );
}

/**
 * The one place a request's workspace is derived: it goes into `context.teamId` for every listener
 * and later middleware, falling back to the workspace of single-workspace mode, else to the one
 * Bolt authorized the request for.
 */
export function workspace(singleTeamId: string | null): Middleware<AnyMiddlewareArgs, WorkspaceContext> {
  return async ({ body, context, next }) => {
    const authorized = text((context as { teamId?: unknown }).teamId);
    const teamId = teamIdOf(body) ?? singleTeamId ?? authorized ?? null;
    if (teamId === null) throw new Error('a Slack request names no workspace');
    context.teamId = teamId;
    await next();
  };
}
