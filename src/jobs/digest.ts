import { knownTeams } from '../db/digest.ts';
import { type DigestTeam, digestTeams, queueDueDigests } from '../flows/digest.ts';
import type { SweepDeps } from './handoff-nags.ts';

/**
 * The weekly digests that are due (DIGEST_CRON on each reader's wall clock), for every workspace:
 * the one this process runs for, or, from a command line that has not asked Slack, every
 * workspace the database knows. Each digest is claimed as it is queued, so replicas and re-runs
 * send it once. DIGEST_CRON=off sends none (npm run digest still does).
 */
export async function runDigestSweep(
  deps: SweepDeps & { teamId?: string },
  now: Date,
): Promise<{ queued: number }> {
  if (deps.config.DIGEST_CRON === 'off') return { queued: 0 };
  const teams: DigestTeam[] =
    deps.teamId !== undefined
      ? digestTeams({ config: deps.config, teamId: deps.teamId })
      : (await knownTeams(deps.db)).flatMap((teamId) => digestTeams({ config: deps.config, teamId }));
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
