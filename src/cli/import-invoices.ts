import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { systemClock } from '../clock.ts';
import {
  CSV_PARSE_OPTIONS,
  DATE_FORMATS,
  type DateFormat,
  describeProblems,
  parseDateFormat,
} from '../domain/invoice-csv.ts';
import { isCurrencyCode } from '../domain/money.ts';
import { type CsvImportResult, ImportRejected, importInvoiceRecords } from '../flows/invoice-import.ts';
import type { UpsertResult } from '../flows/invoices.ts';
import { parseCommandLine, usageError } from './args.ts';
import { openCliContext } from './context.ts';

/**
 * npm run import:invoices -- FILE.csv [--dry-run] [--date-format FORMAT] [--currency USD]
 *
 * Imports an AR aging export (QuickBooks, Xero, NetSuite…) into the same store as
 * `POST /api/invoices`: upsert by invoice number, payments recorded when a balance drops, accounts
 * created when new, all in one transaction. The columns it recognises are listed in
 * src/domain/invoice-csv.ts. A file with any bad row is rejected whole, listing every problem.
 * `--dry-run` checks everything and reports what the import would do, then rolls it back.
 * Exit codes: 0 imported (or dry run passed), 1 rejected or failed, 2 usage.
 */
const USAGE = `usage: npm run import:invoices -- FILE.csv [--dry-run] [--date-format FORMAT] [--currency USD]
  --date-format  how dates are written: ${DATE_FORMATS.join(', ')} (default YYYY-MM-DD)
  --currency     ISO 4217 code for rows without a currency column or value (default USD)
`;
const PROBLEMS_SHOWN = 100;
const PROGRESS_EVERY = 10_000;

const count = new Intl.NumberFormat('en-US');

function usage(problem: string): never {
  return usageError(USAGE, problem);
}

function options(): { file: string; dryRun: boolean; dateFormat: DateFormat; currency: string } {
  const { values, positionals } = parseCommandLine(
    USAGE,
    { 'dry-run': { type: 'boolean' }, 'date-format': { type: 'string' }, currency: { type: 'string' } },
    { positionals: true },
  );
  if (positionals.length !== 1)
    usage(positionals.length === 0 ? 'Name the CSV file to import.' : 'Name one CSV file.');
  const dateFormat = parseDateFormat(values['date-format'] ?? 'YYYY-MM-DD');
  if (!dateFormat) usage(`--date-format must be one of ${DATE_FORMATS.join(', ')}`);
  const currency = (values.currency ?? 'USD').trim().toUpperCase();
  if (!isCurrencyCode(currency)) usage('--currency must be an ISO 4217 currency code such as USD');
  return { file: positionals[0] as string, dryRun: values['dry-run'] ?? false, dateFormat, currency };
}

/** The file cannot be read as CSV at all (missing, a directory, broken quoting). */
class UnreadableFile extends Error {}

/** The file's CSV records as they stream; read errors become UnreadableFile. */
async function* csvRecords(file: string): AsyncGenerator<string[]> {
  const source = createReadStream(file);
  const parser = parse(CSV_PARSE_OPTIONS);
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const record of parser) yield record as string[];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnreadableFile(
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : `not readable as CSV: ${(error as Error).message}`,
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

class DryRunRollback extends Error {}

const { file, dryRun, dateFormat, currency } = options();
const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

const ctx = await openCliContext();
try {
  const teamId = (await ctx.slack.auth.test()).team_id as string;
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
        { config: ctx.config },
        trx,
        teamId,
        csvRecords(file),
        { dateFormat, currency },
        now,
        onProgress,
      );
      if (dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  const done = result as CsvImportResult;
  const rowCount = `${count.format(done.rows)} row${done.rows === 1 ? '' : 's'}`;
  process.stdout.write(
    dryRun
      ? `${file}: ${rowCount}, ${count.format(done.customers)} customer${done.customers === 1 ? '' : 's'}, all valid. ` +
          `Dry run, nothing stored; importing would give: ${summary(done)} (${seconds()})\n`
      : `${file}: ${rowCount}: ${summary(done)} (${seconds()})\n`,
  );
} catch (error) {
  if (error instanceof ImportRejected) process.stderr.write(rejected(error.read));
  else if (error instanceof UnreadableFile)
    process.stderr.write(`${file} was not imported: ${error.message}\n`);
  else process.stderr.write(`${file} was not imported (nothing was stored): ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await ctx.close();
}
