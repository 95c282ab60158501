import { NameKeys } from '../db/accounts.ts';
import { accountKey, type StagingBatch } from '../db/invoice-staging.ts';
import type { Trx } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import {
  createReportReader,
  type ReportOptions,
  type ReportResult,
  type SkippedRow,
} from '../domain/report-layouts.ts';
import { type UpsertResult, upsertInvoiceBatches } from './invoices.ts';

/** Rows handed from the checking reader to the staging COPY at a time. */
const BATCH = 2_000;
/** Records checked between two turns of the event loop. */
const IO_TURN_EVERY = 250;
const ioTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The file has bad rows (or is no aging export): thrown so that the caller's transaction rolls back. */
export class ImportRejected extends Error {
  readonly read: Exclude<ReportResult, { ok: true }>;
  constructor(read: Exclude<ReportResult, { ok: true }>) {
    super('the file was rejected');
    this.read = read;
  }
}

export interface CsvImportResult extends UpsertResult {
  rows: number;
  customers: number;
  /** The report layout recognised (QuickBooks Online A/R Aging Detail, Xero…), or null for a flat export. */
  layout: string | null;
  /** Data rows that are not invoices (payments, credit notes in a report), by row. */
  skipped: SkippedRow[];
}

/**
 * Imports an AR aging export or an accounting report as it streams: every record is checked, and
 * the valid rows are copied into the staging table and applied in chunks as they come, inside the
 * caller's transaction, so the file is never held whole (nor its invoice numbers: those given
 * twice are found in the staging tables). One bad row rejects the file: reading goes on to name
 * every problem, nothing more is applied, then ImportRejected is thrown and the caller's
 * transaction undoes what was.
 */
export async function importInvoiceRecords(
  deps: Pick<Deps, 'config' | 'db'>,
  trx: Trx,
  teamId: string,
  records: AsyncIterable<readonly unknown[]> | Iterable<readonly unknown[]>,
  options: ReportOptions,
  now: Date,
  onProgress?: (done: number) => void,
): Promise<CsvImportResult> {
  const customers = new Set<string>();
  const keys = new NameKeys();
  let rows = 0;
  const reader = createReportReader({ ...options, findDuplicates: false });
  const staged = (): StagingBatch => {
    const read = reader.takeStaged();
    rows += read.rows.length;
    for (const r of read.rows) customers.add(accountKey(r.account, keys.of(r.account.name ?? '')));
    return read;
  };
  async function* checked(): AsyncGenerator<StagingBatch> {
    let pushed = 0;
    for await (const record of records) {
      reader.push(record);
      pushed += 1;
      if (pushed % BATCH === 0) yield staged();
      // The database's answers (its work on the last chunk) are let through between records, so
      // that it does not wait on the reader for as long as the stream has records buffered.
      else if (pushed % IO_TURN_EVERY === 0) await ioTurn();
    }
    yield staged();
  }
  let done: ReportResult | undefined;
  const result = await upsertInvoiceBatches(deps, trx, teamId, checked(), now, onProgress, (outcome) => {
    done = reader.finish(outcome.duplicates);
    if (!done.ok) throw new ImportRejected(done);
  });
  const read = done as ReportResult;
  return { ...result, rows, customers: customers.size, layout: read.layout, skipped: read.skipped };
}
