import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import { readSheet } from 'read-excel-file/node';
import { systemClock } from '../clock.ts';
import { nameKey } from '../db/accounts.ts';
import {
  CSV_PARSE_OPTIONS,
  DATE_FORMATS,
  type DateFormat,
  describeProblems,
  parseDateFormat,
} from '../domain/invoice-csv.ts';
import { isCurrencyCode } from '../domain/money.ts';
import { createReportReader, describeSkipped, type ReportResult } from '../domain/report-layouts.ts';
import { type UpsertResult, upsertInvoices } from '../flows/invoices.ts';
import { openCliContext } from './context.ts';

/**
 * npm run import:invoices -- FILE.csv|FILE.xlsx [--dry-run] [--date-format FORMAT] [--currency USD]
 *
 * Imports an AR aging export (a flat CSV, or QuickBooks Online and Xero reports as they export them,
 * CSV or XLSX: see src/domain/report-layouts.ts) into the same store as
 * `POST /api/invoices`: upsert by invoice number, payments recorded when a balance drops, accounts
 * created when new, all in one transaction. The columns it recognises are listed in
 * src/domain/invoice-csv.ts. A file with any bad row is rejected whole, listing every problem.
 * `--dry-run` checks everything and reports what the import would do, then rolls it back.
 * Exit codes: 0 imported (or dry run passed), 1 rejected or failed, 2 usage.
 */
const USAGE = `usage: npm run import:invoices -- FILE.csv|FILE.xlsx [--dry-run] [--date-format FORMAT] [--currency USD]
  Reads a flat CSV, or these reports unchanged (CSV or XLSX): QuickBooks Online "A/R Aging Detail"
  and "Open Invoices", Xero "Aged Receivables Detail".
  --date-format  how dates are written: ${DATE_FORMATS.join(', ')}
                 (default YYYY-MM-DD; QuickBooks reports MM/DD/YYYY, Xero D MMM YYYY)
  --currency     ISO 4217 code for rows without a currency column or value (default USD)
`;
const PROBLEMS_SHOWN = 100;
const PROGRESS_EVERY = 10_000;

const count = new Intl.NumberFormat('en-US');

function usage(problem: string): never {
  process.stderr.write(`${problem}\n${USAGE}`);
  process.exit(2);
}

const ARGS = {
  options: {
    'dry-run': { type: 'boolean' },
    'date-format': { type: 'string' },
    currency: { type: 'string' },
    help: { type: 'boolean' },
  },
  allowPositionals: true,
} as const;

function options(): {
  file: string;
  dryRun: boolean;
  dateFormat: DateFormat | undefined;
  currency: string;
} {
  const parsed = (() => {
    try {
      return parseArgs(ARGS);
    } catch (error) {
      return usage((error as Error).message);
    }
  })();
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (positionals.length !== 1)
    usage(positionals.length === 0 ? 'Name the CSV file to import.' : 'Name one CSV file.');
  const given = values['date-format'];
  const dateFormat = given === undefined ? undefined : parseDateFormat(given);
  if (dateFormat === null) usage(`--date-format must be one of ${DATE_FORMATS.join(', ')}`);
  const currency = (values.currency ?? 'USD').trim().toUpperCase();
  if (!isCurrencyCode(currency)) usage('--currency must be an ISO 4217 currency code such as USD');
  return { file: positionals[0] as string, dryRun: values['dry-run'] ?? false, dateFormat, currency };
}

/** Streams a CSV file through csv-parse into the report reader; an XLSX file is read sheet one, row by row. */
async function readFile(
  file: string,
  dateFormat: DateFormat | undefined,
  currency: string,
): Promise<ReportResult | { ok: false; unreadable: string }> {
  const reader = createReportReader({ ...(dateFormat ? { dateFormat } : {}), currency });
  const xlsx = /\.xlsx$/i.test(file);
  try {
    if (xlsx) for (const row of await readSheet(file)) reader.push(row);
    else {
      const source = createReadStream(file);
      const parser = parse(CSV_PARSE_OPTIONS);
      source.on('error', (error) => parser.destroy(error));
      source.pipe(parser);
      for await (const record of parser) reader.push(record as string[]);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : `not readable as ${xlsx ? 'XLSX' : 'CSV'}: ${(error as Error).message}`;
    return { ok: false, unreadable: reason };
  }
  return reader.finish();
}

function summary(result: UpsertResult): string {
  return [
    `${count.format(result.created)} created`,
    `${count.format(result.updated)} updated`,
    `${count.format(result.unchanged)} unchanged`,
    `${count.format(result.payments)} payments`,
    `${count.format(result.paid)} paid`,
    `${count.format(result.accountsCreated)} new accounts`,
  ].join(', ');
}

class DryRunRollback extends Error {}

const { file, dryRun, dateFormat, currency } = options();
const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

const read = await readFile(file, dateFormat, currency);
if ('layout' in read && read.layout !== null) process.stdout.write(`${file}: read as ${read.layout}\n`);
if ('skipped' in read && read.skipped.length > 0) {
  const n = read.skipped.length;
  process.stdout.write(
    `${file}: ${count.format(n)} row${n === 1 ? '' : 's'} skipped (not invoices):\n` +
      describeSkipped(read.skipped)
        .slice(0, PROBLEMS_SHOWN)
        .map((s) => `  ${s}\n`)
        .join(''),
  );
}
if (!read.ok) {
  if ('unreadable' in read) process.stderr.write(`${file} was not imported: ${read.unreadable}\n`);
  else if (read.fileProblem !== null) process.stderr.write(`${file} was not imported: ${read.fileProblem}\n`);
  else {
    const n = read.problems.length;
    process.stderr.write(
      `${file} was not imported (nothing was stored): ${count.format(n)} problem${n === 1 ? '' : 's'}\n` +
        describeProblems(read.problems, PROBLEMS_SHOWN)
          .map((p) => `  ${p}\n`)
          .join(''),
    );
  }
  process.exit(1);
}
const rows = read.rows;
const customers = new Set(
  rows.map((r) => (r.account.crmId ? `crm:${r.account.crmId}` : `name:${nameKey(r.account.name ?? '')}`)),
).size;

const ctx = await openCliContext();
try {
  const teamId = (await ctx.slack.auth.test()).team_id as string;
  const now = systemClock.now();
  const verb = dryRun ? 'checked' : 'imported';
  let shown = 0;
  const onProgress = (done: number) => {
    if (Math.floor(done / PROGRESS_EVERY) <= Math.floor(shown / PROGRESS_EVERY)) return;
    shown = done;
    process.stderr.write(`${verb} ${count.format(done)} / ${count.format(rows.length)} rows\n`);
  };
  let result: UpsertResult | undefined;
  try {
    await ctx.database.db.transaction().execute(async (trx) => {
      result = await upsertInvoices({ config: ctx.config }, trx, teamId, rows, now, onProgress);
      if (dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  const done = result as UpsertResult;
  const rowCount = `${count.format(rows.length)} row${rows.length === 1 ? '' : 's'}`;
  process.stdout.write(
    dryRun
      ? `${file}: ${rowCount}, ${count.format(customers)} customer${customers === 1 ? '' : 's'}, all valid. ` +
          `Dry run, nothing stored; importing would give: ${summary(done)} (${seconds()})\n`
      : `${file}: ${rowCount}: ${summary(done)} (${seconds()})\n`,
  );
} catch (error) {
  process.stderr.write(`${file} was not imported (nothing was stored): ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await ctx.close();
}
