import { getPerson, upsertPerson } from '../db/people.ts';
import type { Deps } from '../deps.ts';
import { settingsFor } from './settings.ts';

const DAY = 86_400_000;

function validZone(tz: string | null | undefined): tz is string {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * The rep's time zone from Slack (users.info), stored with the person and refreshed when older
 * than a day (by the wall clock: it is a cache); BUSINESS_TIMEZONE when Slack does not know it or
 * cannot be asked right now.
 */
export async function repTimeZone(
  deps: Pick<Deps, 'db' | 'workspaces' | 'config' | 'logger'>,
  teamId: string,
  userId: string,
): Promise<string> {
  const person = await getPerson(deps.db, teamId, userId);
  const fallback = (await settingsFor(deps, teamId)).BUSINESS_TIMEZONE;
  const fresh = person?.tz_checked_at && Date.now() - person.tz_checked_at.getTime() < DAY;
  if (fresh) return validZone(person?.tz) ? person.tz : fallback;
  try {
    const slack = await deps.workspaces.slackFor(teamId);
    const { user } = await slack.users.info({ user: userId });
    const tz = validZone(user?.tz) ? user.tz : null;
    await upsertPerson(deps.db, teamId, {
      userId,
      tz,
      ...(user?.profile?.email ? { email: user.profile.email } : {}),
      ...(user?.real_name ? { name: user.real_name } : {}),
    });
    return tz ?? fallback;
  } catch (error) {
    deps.logger.warn(
      { err: error, userId },
      'could not read the rep’s time zone from Slack; using what we have',
    );
    return validZone(person?.tz) ? person.tz : fallback;
  }
}
