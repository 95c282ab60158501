import { restoreDataDir } from '../db/backup.ts';
import { DataDirLockedError } from '../db/connect.ts';
import { parseCommandLine, usageError } from './args.ts';

/** npm run restore -- FILE: loads a backup into a DATA_DIR that holds no database yet. */
const USAGE = `usage: npm run restore -- FILE
  Loads a backup written by npm run backup into DATA_DIR (default ./data), which must hold no
  database yet: point DATA_DIR at a new directory (or move the old pgdata away), restore, then start
  the bot on it. Refuses while a process holds DATA_DIR. With DATABASE_URL set, use pg_restore.
  Exit codes: 0 restored, 1 refused or failed, 2 usage.
`;
const { positionals } = parseCommandLine(USAGE, {}, { positionals: true });
if (positionals.length !== 1) usageError(USAGE, 'Name the backup file to load.');
const file = positionals[0] as string;
if (process.env.DATABASE_URL) {
  process.stderr.write(
    'DATABASE_URL is set: restore PostgreSQL with pg_restore (README → Run and deploy → Backups); npm run restore loads the embedded database only.\n',
  );
  process.exit(1);
}
const dataDir = process.env.DATA_DIR || './data';
try {
  const migrations = await restoreDataDir(dataDir, file);
  process.stdout.write(
    `${dataDir}: restored from ${file} (${migrations} migrations applied); start AR Bridge on it\n`,
  );
} catch (error) {
  const refused = error instanceof DataDirLockedError ? error.message : (error as Error).message;
  process.stderr.write(`Nothing was restored: ${refused}\n`);
  process.exit(1);
}
