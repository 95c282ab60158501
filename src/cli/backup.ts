import { existsSync } from 'node:fs';
import { backupDataDir } from '../db/backup.ts';
import { DataDirLockedError } from '../db/connect.ts';
import { parseCommandLine, usageError } from './args.ts';

/** npm run backup -- FILE: a copy of the embedded database under DATA_DIR, while the bot is stopped. */
const USAGE = `usage: npm run backup -- FILE [--force]
  Writes a copy of the embedded database under DATA_DIR (default ./data) to FILE, a gzipped tar
  that npm run restore loads. Stop the bot first: while it holds DATA_DIR this refuses and names it.
  --force overwrites FILE. With DATABASE_URL set, use pg_dump instead (README → Run and deploy).
  Exit codes: 0 written, 1 refused or failed, 2 usage.
`;
const { values, positionals } = parseCommandLine(
  USAGE,
  { force: { type: 'boolean' } },
  { positionals: true },
);
if (positionals.length !== 1) usageError(USAGE, 'Name the file to write.');
const file = positionals[0] as string;
if (process.env.DATABASE_URL) {
  process.stderr.write(
    'DATABASE_URL is set: back PostgreSQL up with pg_dump (README → Run and deploy → Backups); npm run backup copies the embedded database only.\n',
  );
  process.exit(1);
}
if (existsSync(file) && !values.force) {
  process.stderr.write(`${file} exists: name a new file, or add --force to overwrite it.\n`);
  process.exit(1);
}
const dataDir = process.env.DATA_DIR || './data';
try {
  const bytes = await backupDataDir(dataDir, file);
  process.stdout.write(`${file}: backup of ${dataDir}, ${(bytes / 1_048_576).toFixed(1)} MB\n`);
} catch (error) {
  const refused = error instanceof DataDirLockedError ? `${error.message}` : (error as Error).message;
  process.stderr.write(`No backup was written: ${refused}\n`);
  process.exit(1);
}
