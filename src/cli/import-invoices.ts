import { createReadStream } from 'node:fs';
import { readSheet } from 'read-excel-file/node';
import { systemClock } from '../clock.ts';
import { csvRecords } from '../domain/csv.ts';
import { DATE_FORMATS, type DateFormat, describeProblems, parseDateFormat } from '../domain/invoice-csv.ts';
import { isCurrencyCode } from '../domain/money.ts';
import { describeSkipped } from '../domain/report-layouts.ts';
import { type CsvImportResult, ImportRejected, importInvoiceRecords } from '../flows/invoice-import.ts';
import type { UpsertResult } from '../flows/invoices.ts';
import { parseCommandLine, usageError } from './args.ts';
import { openCliContext, TEAM_OPTION, TEAM_USAGE } from './context.ts';

/**
 * npm run import:invoices -- FILE.csv|FILE.xlsx [--dry-run] [--date-format FORMAT] [--currency USD] [--team T…]
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
${TEAM_USAGE}`;
const PROBLEMS_SHOWN = 100;
const PROGRESS_EVERY = 10_000;

const count = new Intl.NumberFormat('en-US');

function usage(problem: string): never {
  return usageError(USAGE, problem);
}

function options(): {
  file: string;
  dryRun: boolean;
  dateFormat: DateFormat | undefined;
  currency: string;
  team: string | undefined;
} {
  const { values, positionals } = parseCommandLine(
    USAGE,
    {
      'dry-run': { type: 'boolean' },
      'date-format': { type: 'string' },
      currency: { type: 'string' },
      ...TEAM_OPTION,
    },
    { positionals: true },
  );
  if (positionals.length !== 1)
    usage(positionals.length === 0 ? 'Name the CSV or XLSX file to import.' : 'Name one file.');
  const given = values['date-format'];
  const dateFormat = given === undefined ? undefined : parseDateFormat(given);
  if (dateFormat === null) usage(`--date-format must be one of ${DATE_FORMATS.join(', ')}`);
  const currency = (values.currency ?? 'USD').trim().toUpperCase();
  if (!isCurrencyCode(currency)) usage('--currency must be an ISO 4217 currency code such as USD');
  return {
    file: positionals[0] as string,
    dryRun: values['dry-run'] ?? false,
    dateFormat,
    currency,
    team: values.team,
  };
}

/** The file cannot be read at all (missing, a directory, broken quoting, not a workbook). */
class UnreadableFile extends Error {}

/**
 * The file's records as they stream: a CSV through csvRecords, an XLSX file's first sheet row by row
 * (cells as the workbook types them); read errors become UnreadableFile.
 */
async function* fileRecords(file: string): AsyncGenerator<readonly unknown[]> {
  const xlsx = /\.xlsx$/i.test(file);
  try {
    if (xlsx) {
      for (const row of await readSheet(file)) yield row;
      return;
    }
    yield* csvRecords(createReadStream(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnreadableFile(
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : `not readable as ${xlsx ? 'XLSX' : 'CSV'}: ${(error as Error).message}`,
    );
  }
}

function rejected(read: ImportRejected['read']): string {
  if (read.fileProblem !== null) return `${file} was not imported: ${read.fileProblem}\n`;
  const n = read.problems.length;
  return (
    `${file} was not imported (nothing was stored): ${count.format(n)} problem${n === 1 ? '' : 's'}\n` +
    describeProblems(read.problems, PROBLEMS_SHOWN)
      .map((p) => `  ${p}\n`)
      .join('')
  );
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

/** Which report layout the file was read as, and the data rows skipped as not invoices. */
function layoutAndSkipped(read: Pick<CsvImportResult, 'layout' | 'skipped'>): string {
  const layout = read.layout === null ? '' : `${file}: read as ${read.layout}\n`;
  const n = read.skipped.length;
  if (n === 0) return layout;
  return (
    layout +
    `${file}: ${count.format(n)} row${n === 1 ? '' : 's'} skipped (not invoices):\n` +
    describeSkipped(read.skipped)
      .slice(0, PROBLEMS_SHOWN)
      .map((line) => `  ${line}\n`)
      .join('')
  );
}

class DryRunRollback extends Error {}

const { file, dryRun, dateFormat, currency, team } = options();
const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

const ctx = await openCliContext();
try {
  const { teamId } = await ctx.workspace(team);
  const now = systemClock.now();
  const verb = dryRun ? 'checked' : 'imported';
  let shown = 0;
  const onProgress = (done: number) => {
    if (Math.floor(done / PROGRESS_EVERY) <= Math.floor(shown / PROGRESS_EVERY)) return;
    shown = done;
    process.stderr.write(`${verb} ${count.format(done)} rows\n`);
  };
  let result: CsvImportResult | undefined;
  try {
    await ctx.database.db.transaction().execute(async (trx) => {
      result = await importInvoiceRecords(
        { config: ctx.config, db: ctx.database.db },
        trx,
        teamId,
        fileRecords(file),
        { ...(dateFormat ? { dateFormat } : {}), currency },
        now,
        onProgress,
      );
      if (dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  const done = result as CsvImportResult;
  process.stdout.write(layoutAndSkipped(done));
  const rowCount = `${count.format(done.rows)} row${done.rows === 1 ? '' : 's'}`;
  process.stdout.write(
    dryRun
      ? `${file}: ${rowCount}, ${count.format(done.customers)} customer${done.customers === 1 ? '' : 's'}, all valid. ` +
          `Dry run, nothing stored; importing would give: ${summary(done)} (${seconds()})\n`
      : `${file}: ${rowCount}: ${summary(done)} (${seconds()})\n`,
  );
} catch (error) {
  if (error instanceof ImportRejected) {
    process.stdout.write(layoutAndSkipped(error.read));
    process.stderr.write(rejected(error.read));
  } else if (error instanceof UnreadableFile)
    process.stderr.write(`${file} was not imported: ${error.message}\n`);
  else process.stderr.write(`${file} was not imported (nothing was stored): ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await ctx.close();
}
