import { openDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { parseCommandLine } from './args.ts';

/** npm run migrate: brings the database (DATABASE_URL, or the embedded one under DATA_DIR) up to date. */
parseCommandLine(
  `usage: npm run migrate
  Applies the migrations the database (DATABASE_URL, or the embedded one under DATA_DIR) lacks.
  AR Bridge also migrates at every start. Exit codes: 0 up to date, 1 failed, 2 usage.
`,
  {},
);
const database = await openDatabase({
  DATABASE_URL: process.env.DATABASE_URL || undefined,
  DATA_DIR: process.env.DATA_DIR || './data',
});
try {
  const { error, results } = await migrateToLatest(database.db);
  for (const r of results ?? [])
    process.stdout.write(`${r.status === 'Success' ? 'applied' : r.status}: ${r.migrationName}\n`);
  if (error) {
    process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  } else if ((results ?? []).length === 0) {
    process.stdout.write('database is up to date\n');
  }
} finally {
  await database.close();
}
