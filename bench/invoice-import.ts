/**
 * npm run bench:import -- FILE.csv [--database arbridge_bench] [--date-format MM/DD/YYYY] [--pglite] [--batch 5000]
 *
 * Times the invoice import as `npm run import:invoices` runs it (stream the CSV, check every row, upsert in one
 * transaction) and the API's batch (`upsertInvoices` of `--batch` rows, as `POST /api/invoices` calls it), on the
 * seeded PostgreSQL bench database and, with `--pglite`, on a fresh embedded database. Every transaction is rolled
 * back, so the run can be repeated on one seed. Prints each figure with its budget and the peak memory.
 * Write the file with bench/make-aging-csv.ts first.
 */
import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parse } from 'csv-parse';
import { parseCommandLine } from '../src/cli/args.ts';
import { type DatabaseHandle, openPglite, openPostgres } from '../src/db/connect.ts';
import { migrateOrThrow } from '../src/db/migrate.ts';
import type { Trx } from '../src/db/schema.ts';
import {
  CSV_PARSE_OPTIONS,
  createInvoiceCsvReader,
  type DateFormat,
  parseDateFormat,
} from '../src/domain/invoice-csv.ts';
import type { InvoiceInput } from '../src/domain/invoice-input.ts';
import { importInvoiceRecords } from '../src/flows/invoice-import.ts';
import { upsertInvoices } from '../src/flows/invoices.ts';
import {
  benchConfig,
  benchDatabaseUrl,
  DEFAULT_DATABASE,
  duration,
  machineAndServer,
  orExit,
  say,
  TEAM_ID,
  UsageError,
} from './shared.ts';

const USAGE =
  'usage: npm run bench:import -- FILE.csv [--database NAME] [--date-format FORMAT] [--pglite] [--batch N]';
const { values, positionals } = parseCommandLine(
  USAGE,
  {
    database: { type: 'string', default: DEFAULT_DATABASE },
    'date-format': { type: 'string', default: 'MM/DD/YYYY' },
    pglite: { type: 'boolean', default: false },
    batch: { type: 'string', default: '5000' },
  },
  { positionals: true },
);
const file = positionals[0];
const dateFormat = orExit((): DateFormat => {
  if (!file) throw new UsageError(USAGE);
  const format = parseDateFormat(values['date-format']);
  if (!format) throw new UsageError(`--date-format: unknown format\n${USAGE}`);
  return format;
});
const batchSize = Number(values.batch);
const config = benchConfig();
const now = new Date();

class Rollback extends Error {}

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
const mb = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`;

/** Streams the file through csv-parse into the checking reader, as the import command does. */
async function readRows(): Promise<InvoiceInput[]> {
  const reader = createInvoiceCsvReader({ dateFormat, currency: 'USD' });
  const parser = createReadStream(file as string).pipe(parse(CSV_PARSE_OPTIONS));
  for await (const record of parser) reader.push(record as string[]);
  const result = reader.finish();
  if (!result.ok) throw new Error(`${file} has problems: ${JSON.stringify(result).slice(0, 300)}`);
  return result.rows;
}

/** Runs `work` in a transaction that is rolled back; returns its wall time in ms. */
async function timedRollback(handle: DatabaseHandle, work: (trx: Trx) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let elapsed = 0;
  try {
    await handle.db.transaction().execute(async (trx) => {
      await work(trx);
      elapsed = performance.now() - started;
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return elapsed;
}

async function run(label: string, handle: DatabaseHandle): Promise<void> {
  say(`\n${label}`);
  // The import as the command runs it: checked and upserted as the file streams, in one transaction.
  const importMs = await timedRollback(handle, (trx) =>
    importInvoiceRecords(
      { config, db: handle.db },
      trx,
      TEAM_ID,
      createReadStream(file as string).pipe(parse(CSV_PARSE_OPTIONS)),
      { dateFormat, currency: 'USD' },
      now,
    ),
  );
  const importRss = peakRss;
  const rows = await readRows();
  const batch = rows.slice(0, batchSize);
  const batchNew = await timedRollback(handle, (trx) =>
    upsertInvoices({ config, db: handle.db }, trx, TEAM_ID, batch, now),
  );
  const paid = batch.map((r, i) =>
    i % 10 === 0 ? { ...r, balanceCents: Math.floor(r.balanceCents / 2) } : r,
  );
  const batchAgain = await timedRollback(handle, async (trx) => {
    await upsertInvoices({ config, db: handle.db }, trx, TEAM_ID, batch, now);
    await upsertInvoices({ config, db: handle.db }, trx, TEAM_ID, paid, now);
  });
  const perSecond = Math.round(rows.length / (importMs / 1000));
  say(`  rows                        ${rows.length.toLocaleString('en-US')}`);
  say(
    `  whole import (stream, check, upsert)  ${duration(importMs)} (${perSecond.toLocaleString('en-US')} rows/s)`,
  );
  say(`  peak RSS during the import  ${mb(importRss)}`);
  say(`  API batch of ${batch.length}, new       ${duration(batchNew)} (budget 300 ms on PostgreSQL)`);
  say(`  the batch, then again with 1 in 10 paid  ${duration(batchAgain)}`);
}

const pgHandle = openPostgres(orExit(() => benchDatabaseUrl(values.database)));
try {
  say(`invoice import benchmark: ${file}; ${await machineAndServer(pgHandle.db)}`);
  await run(`PostgreSQL (${values.database})`, pgHandle);
} finally {
  await pgHandle.close();
}
if (values.pglite) {
  const lite = await openPglite();
  try {
    await migrateOrThrow(lite.db);
    await run('PGlite (in memory, empty)', lite);
  } finally {
    await lite.close();
  }
}
clearInterval(sampler);
