import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import type { Db } from '../db/schema.ts';
import { knownTeam } from '../flows/credentials.ts';
import { sendProblems } from './respond.ts';

/**
 * The workspace a request's `?team=` names: null without one (the environment's secrets and the
 * start-up workspace apply), false after answering 404 for a workspace AR Bridge does not know.
 */
export async function requestedTeam(
  deps: { config: Config; db: Db; teamId: string },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<string | null | false> {
  const team = new URL(req.url ?? '/', 'http://x').searchParams.get('team');
  if (team === null) return null;
  if (/^[TE][A-Z0-9]{2,20}$/.test(team) && (await knownTeam(deps, team))) return team;
  sendProblems(res, 404, 'unknown workspace', [
    `no workspace ${JSON.stringify(team.slice(0, 30))} uses AR Bridge: check ?team= (its Slack team id, T…)`,
  ]);
  return false;
}
