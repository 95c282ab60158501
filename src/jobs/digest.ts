import { type DigestTeam, digestTeam, queueDueDigests } from '../flows/digest.ts';
import type { SweepDeps } from './handoff-nags.ts';

/**
 * The weekly digests that are due (DIGEST_CRON on each reader's wall clock), for every workspace
 * served (the registry's: the one of SLACK_BOT_TOKEN, or each installed one). Each digest is
 * claimed as it is queued, so replicas and re-runs send it once; one workspace's failure does not
 * stop the others'. DIGEST_CRON=off sends none (npm run digest still does).
 */
export async function runDigestSweep(deps: SweepDeps, now: Date): Promise<{ queued: number }> {
  if (deps.config.DIGEST_CRON === 'off') return { queued: 0 };
  const teams: DigestTeam[] = [];
  for (const teamId of await deps.workspaces.teamIds()) teams.push(await digestTeam(deps, teamId));
  let queued = 0;
  for (const team of teams) {
    try {
      queued += (await queueDueDigests(deps, team, now)).queued;
    } catch (error) {
      deps.logger.error({ err: error, teamId: team.teamId }, 'the weekly digest could not be queued');
    }
  }
  return { queued };
}
