import type { HomeView } from '@slack/types';
import { loadArHome, loadRepHome } from '../db/home.ts';
import { homeOpeners, markHomeOpened } from '../db/people.ts';
import type { Queryable } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { dayIn } from '../domain/dates.ts';
import { isArStaff } from '../domain/permissions.ts';
import { enqueue } from '../outbox/outbox.ts';
import type { Workspaces } from '../slack/workspaces.ts';
import { homeView } from '../views/home.ts';
import { settingsFor } from './settings.ts';
import { mayAdminister } from './workspace-settings.ts';

/** The App Home view for this person right now: AR staff see the AR home, everyone else the rep's. */
export async function renderHome(
  deps: Pick<Deps, 'db' | 'config' | 'clock' | 'logger'> & {
    workspaces?: Pick<Workspaces, 'slackFor' | 'installerOf'>;
  },
  teamId: string,
  userId: string,
  now = deps.clock.now(),
): Promise<HomeView> {
  const settings = await settingsFor(deps, teamId);
  const today = dayIn(settings.BUSINESS_TIMEZONE, now);
  const data = isArStaff(settings, userId)
    ? await loadArHome(deps.db, teamId, userId, today)
    : await loadRepHome(deps.db, teamId, userId, today, now);
  return homeView(data, now, { settings: await mayAdminister(deps, teamId, userId) });
}

/** App Home opened: it is refreshed from now on when what it shows changes; this is its view now. */
export async function openHome(
  deps: Pick<Deps, 'db' | 'config' | 'clock' | 'logger' | 'workspaces'>,
  teamId: string,
  userId: string,
): Promise<HomeView> {
  await markHomeOpened(deps.db, teamId, userId);
  return renderHome(deps, teamId, userId);
}

/** How long a burst of changes is gathered into one App Home publish. */
export const HOME_DEBOUNCE_MS = 3_000;

/**
 * Queues an App Home refresh for these people (those who have opened it), rendered at delivery
 * time; changes within the same few seconds share one dedupe key, so a burst publishes once.
 * The debounce is delivery pacing, so it runs on the wall clock.
 */
export async function refreshHomes(
  deps: Pick<Deps, 'config' | 'db'>,
  trx: Queryable,
  teamId: string,
  userIds: Iterable<string | null>,
): Promise<void> {
  const wanted = new Set<string>([...userIds].filter((u): u is string => Boolean(u)));
  for (const ar of (await settingsFor(deps, teamId, trx)).AR_USER_IDS) wanted.add(ar);
  const slot = Math.floor(Date.now() / HOME_DEBOUNCE_MS);
  for (const userId of await homeOpeners(trx, teamId, [...wanted])) {
    await enqueue(trx, {
      teamId,
      dedupeKey: `home:${userId}:${slot}`,
      target: { kind: 'home', userId },
      message: { text: 'App Home' },
      notBefore: new Date((slot + 1) * HOME_DEBOUNCE_MS),
    });
  }
}
