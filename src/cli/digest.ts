import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../clock.ts';
import { localMinute } from '../domain/cron.ts';
import { buildDigest, type DigestTeam, digestReaders, digestTeam, queueDigest } from '../flows/digest.ts';
import { digestText } from '../views/digest.ts';
import { parseCommandLine } from './args.ts';
import { deliverQueued, openCliContext } from './context.ts';

/**
 * npm run digest [-- --dry-run DIR]: the weekly digest of the 7 days to now, for every reader
 * (the finance channel, and each manager for their team). With --dry-run, prints the figures and
 * writes the charts into DIR, sending nothing; otherwise sends it now and delivers it.
 */
const USAGE = `usage: npm run digest [-- --dry-run DIR]
  Builds the weekly digest of the 7 days to now for every reader: the finance channel (everyone's
  figures) and each manager recorded with import:people (their team's).
  --dry-run DIR  print the figures and write each chart as PNG into DIR (created when missing);
                 nothing is sent.
  Without --dry-run the digest is sent now (once per reader and minute) and delivered.
  With the embedded database, stop the bot first (one process per DATA_DIR).
`;
const { values } = parseCommandLine(USAGE, { 'dry-run': { type: 'string' } });
const dryRun = values['dry-run'];

/** A file name for a reader: 'finance' for the channel, 'manager-U…' for a manager. */
function readerSlug(key: string): string {
  return key.startsWith('channel:') ? 'finance' : `manager-${key.slice('user:'.length)}`;
}

const ctx = await openCliContext();
try {
  const workspaces = await ctx.workspaces();
  const deps = { db: ctx.database.db, config: ctx.config, logger: ctx.logger, workspaces, notify: () => {} };
  const now = systemClock.now();
  // Every workspace served: SLACK_BOT_TOKEN's, or each installed one in multi-workspace mode.
  const teams: DigestTeam[] = [];
  for (const teamId of await workspaces.teamIds()) teams.push(await digestTeam(deps, teamId));
  if (dryRun !== undefined) mkdirSync(dryRun, { recursive: true });
  if (teams.length === 0)
    process.stdout.write('No workspace is installed yet: there is nothing to report.\n');
  let queued = 0;
  for (const team of teams) {
    for (const reader of await digestReaders(deps, team)) {
      const built = await buildDigest(ctx.database.db, team, reader, now);
      if (dryRun === undefined) {
        const sent = await queueDigest(deps, team, built, localMinute(now, reader.timeZone));
        if (sent) queued += 1;
        process.stdout.write(`${reader.key}: ${sent ? 'queued' : 'already sent this minute'}\n`);
        continue;
      }
      process.stdout.write(
        `${digestText({ figures: built.figures, scope: `${reader.label} (${reader.key})` })}`,
      );
      for (const { chart, png } of built.charts) {
        const file = join(dryRun, `${readerSlug(reader.key)}-${chart.name}.png`);
        writeFileSync(file, png);
        process.stdout.write(`  chart: ${file} (${png.length} bytes)\n`);
      }
      process.stdout.write('\n');
    }
  }
  if (dryRun === undefined) {
    const delivered = await deliverQueued(ctx);
    process.stdout.write(`${JSON.stringify({ queued, deliveryAttempts: delivered })}\n`);
  }
} finally {
  await ctx.close();
}
