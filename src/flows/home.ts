import { createHash } from 'node:crypto';
import type { HomeView } from '@slack/types';
import { renderChart } from '../charts/render.ts';
import { workspaceOpenFacts } from '../db/digest.ts';
import { type HomeChart, loadArHome, loadRepHome } from '../db/home.ts';
import { findNotificationByKey } from '../db/notifications.ts';
import { homeOpeners, markHomeOpened } from '../db/people.ts';
import type { Db, Queryable } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { dayIn } from '../domain/dates.ts';
import { agingFigures, mainCurrency } from '../domain/digest.ts';
import { isArStaff } from '../domain/permissions.ts';
import { enqueue } from '../outbox/outbox.ts';
import type { Workspaces } from '../slack/workspaces.ts';
import { agingChart } from '../views/charts.ts';
import { homeView } from '../views/home.ts';
import { settingsFor } from './settings.ts';
import { chartUpload } from './uploads.ts';
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
  const options = { settings: await mayAdminister(deps, teamId, userId) };
  if (!isArStaff(settings, userId))
    return homeView(await loadRepHome(deps.db, teamId, userId, today, now), now, options);
  const home = await loadArHome(deps.db, teamId, userId, today);
  return homeView({ ...home, chart: await agingChartFile(deps.db, teamId, userId, today) }, now, options);
}

/**
 * AR's aging chart as an uploaded file. The upload is keyed by the figures it shows, so it is made
 * once and reused until they change: when it is not uploaded yet, it is queued (rendered now, by
 * the first to need it), with a refresh of this person's App Home that waits for it; meanwhile the
 * home shows no chart.
 */
async function agingChartFile(
  db: Db,
  teamId: string,
  userId: string,
  today: string,
): Promise<HomeChart | null> {
  const aging = agingFigures(await workspaceOpenFacts(db, teamId), today);
  const currency = mainCurrency(aging);
  const figures = aging.find((a) => a.currency === currency);
  if (!figures) return null;
  const chart = agingChart(figures, `Everyone · ${today}`);
  const key = `chart:aging:${createHash('sha256')
    .update(JSON.stringify([today, figures]))
    .digest('hex')
    .slice(0, 24)}`;
  const upload = await findNotificationByKey(db, teamId, key);
  if (upload?.status === 'sent' && upload.ts)
    return { fileId: upload.ts, title: chart.title, altText: chart.altText };
  if (upload?.status === 'failed' || upload?.status === 'cancelled') return null;
  // Rendered only when nobody queued it yet; whoever opens App Home meanwhile is refreshed once it is up.
  const png = upload ? null : await renderChart(chart);
  await db.transaction().execute(async (trx) => {
    if (png) await enqueue(trx, chartUpload(teamId, key, chart, png));
    await enqueue(trx, {
      teamId,
      dedupeKey: `home:${userId}:${key}`,
      target: { kind: 'home', userId, files: [key] },
      message: { text: 'App Home' },
    });
  });
  return null;
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
