/**
 * The weekly digest of one workspace: who reads it (each manager, for their team; the finance
 * channel, for everyone), when (DIGEST_CRON on each reader's own wall clock), what it says
 * (src/domain/digest.ts figures, src/views/digest.ts blocks, src/views/charts.ts charts) and how
 * it goes out: claimed in `digests` and queued in the same transaction as its uploads and its
 * message, so several replicas or a restart send it once.
 */
import { renderChart } from '../charts/render.ts';
import { claimDigest, type DigestScope, digestClaimed, digestFacts, digestManagers } from '../db/digest.ts';
import type { Db } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { type CronSchedule, lastOccurrence, localMinute, parseCron } from '../domain/cron.ts';
import { dayIn } from '../domain/dates.ts';
import { type DigestFigures, digestFigures, digestWeek, mainCurrency } from '../domain/digest.ts';
import { enqueue, type Target } from '../outbox/outbox.ts';
import { type Chart, digestCharts } from '../views/charts.ts';
import { digestMessage } from '../views/digest.ts';
import { repTimeZone } from './people.ts';
import { type SettingsDeps, settingsFor } from './settings.ts';
import { chartUpload } from './uploads.ts';

/** One workspace as the digest needs it (the settings that may differ per workspace). */
export interface DigestTeam {
  teamId: string;
  /** Null while the workspace has none: the digest then waits for it in the outbox. */
  financeChannelId: string | null;
  businessTimeZone: string;
}

/** Who gets a digest, whose figures, and on which wall clock. */
export interface DigestReader {
  /** 'user:U…' or 'channel:C…': the digest's claim and its dedupe keys. */
  key: string;
  target: Extract<Target, { kind: 'channel' } | { kind: 'user' }>;
  scope: DigestScope;
  /** "Your team (3 people)", "Everyone". */
  label: string;
  timeZone: string;
}

export type DigestDeps = Pick<Deps, 'db' | 'config' | 'logger' | 'workspaces' | 'notify'>;

/** A workspace as the digest sees it: its finance channel and business time zone from its Settings. */
export async function digestTeam(deps: SettingsDeps, teamId: string): Promise<DigestTeam> {
  const settings = await settingsFor(deps, teamId);
  return {
    teamId,
    financeChannelId: settings.FINANCE_CHANNEL_ID ?? null,
    businessTimeZone: settings.BUSINESS_TIMEZONE,
  };
}

/** The finance channel (everyone's figures, BUSINESS_TIMEZONE) and each manager (their team, their zone). */
export async function digestReaders(deps: DigestDeps, team: DigestTeam): Promise<DigestReader[]> {
  const managers = await digestManagers(deps.db, team.teamId);
  const readers: DigestReader[] = [
    {
      key: `channel:${team.financeChannelId ?? 'finance'}`,
      target: { kind: 'channel', channel: team.financeChannelId },
      scope: null,
      label: 'Everyone',
      timeZone: team.businessTimeZone,
    },
  ];
  for (const m of managers) {
    readers.push({
      key: `user:${m.userId}`,
      target: { kind: 'user', userId: m.userId },
      scope: m.team,
      label: `Your team (${m.team.length} ${m.team.length === 1 ? 'person' : 'people'})`,
      timeZone: await repTimeZone(deps, team.teamId, m.userId),
    });
  }
  return readers;
}

export interface BuiltDigest {
  reader: DigestReader;
  figures: DigestFigures;
  charts: Array<{ chart: Chart; png: Buffer }>;
}

/** The figures and charts of one reader's digest for the week ending at `end`; sends nothing. */
export async function buildDigest(
  db: Db,
  team: DigestTeam,
  reader: DigestReader,
  end: Date,
): Promise<BuiltDigest> {
  const week = digestWeek(end, team.businessTimeZone);
  const facts = await digestFacts(db, team.teamId, reader.scope, week);
  const figures = digestFigures({ ...facts, week, businessTimeZone: team.businessTimeZone });
  const subtitle = `${reader.label} · the 7 days to ${dayIn(reader.timeZone, end)}`;
  const charts = [];
  for (const chart of digestCharts(figures, mainCurrency(figures.aging), subtitle)) {
    charts.push({ chart, png: await renderChart(chart) });
  }
  return { reader, figures, charts };
}

/**
 * Queues a built digest under its occurrence: the claim, the uploads and the message (which waits
 * for its uploads) in one transaction. False when this occurrence was claimed already.
 */
export async function queueDigest(
  deps: DigestDeps,
  team: DigestTeam,
  built: BuiltDigest,
  occurrence: string,
): Promise<boolean> {
  const { reader, figures } = built;
  const prefix = `digest:${reader.key}:${occurrence}`;
  const images = built.charts.map(({ chart }) => ({
    fileKey: `${prefix}:chart:${chart.name}`,
    title: chart.title,
    altText: chart.altText,
  }));
  const message = digestMessage({ figures, scope: reader.label, images });
  const queued = await deps.db.transaction().execute(async (trx) => {
    if (
      !(await claimDigest(trx, { teamId: team.teamId, reader: reader.key, occurrence, week: figures.week }))
    )
      return false;
    for (const [i, { chart, png }] of built.charts.entries()) {
      await enqueue(trx, chartUpload(team.teamId, images[i]?.fileKey as string, chart, png));
    }
    return enqueue(trx, {
      teamId: team.teamId,
      dedupeKey: prefix,
      target: { ...reader.target, files: images.map((i) => i.fileKey) },
      message,
    });
  });
  if (queued) deps.notify();
  return queued;
}

/** A digest missed while the app was down goes out when it comes back within this long. */
export const DIGEST_CATCH_UP_MS = 24 * 3_600_000;

/**
 * Every reader of the workspace whose DIGEST_CRON moment has come (within the last day, on their
 * own wall clock) and who has not had that digest: built, then claimed and queued.
 */
export async function queueDueDigests(
  deps: DigestDeps,
  team: DigestTeam,
  now: Date,
  schedule: CronSchedule = parseCron(deps.config.DIGEST_CRON),
): Promise<{ queued: number }> {
  let queued = 0;
  const moments = new Map<string, Date | null>();
  for (const reader of await digestReaders(deps, team)) {
    // Readers share few time zones: the moment is worked out once per zone.
    const at =
      moments.get(reader.timeZone) ?? lastOccurrence(schedule, reader.timeZone, now, DIGEST_CATCH_UP_MS);
    moments.set(reader.timeZone, at);
    if (at === null) continue;
    const occurrence = localMinute(at, reader.timeZone);
    if (await digestClaimed(deps.db, team.teamId, reader.key, occurrence)) continue;
    const built = await buildDigest(deps.db, team, reader, at);
    if (await queueDigest(deps, team, built, occurrence)) queued += 1;
  }
  return { queued };
}
