import { accountKey } from '../db/invoice-staging.ts';
import type { Trx } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import type { InvoiceInput } from '../domain/invoice-input.ts';
import {
  createReportReader,
  type ReportOptions,
  type ReportResult,
  type SkippedRow,
} from '../domain/report-layouts.ts';
import { type UpsertResult, upsertInvoiceBatches } from './invoices.ts';

/** Rows handed from the checking reader to the staging COPY at a time. */
const BATCH = 2_000;

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
 * the valid rows are copied into the staging table in batches as they come, inside the caller's
 * transaction, so the file is never held whole; they are applied once the last row is read. One
 * bad row rejects the file: reading goes on to name every problem, then ImportRejected is thrown
 * before anything but the staging table was written, and the transaction undoes that.
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
  let rows = 0;
  const counted = (batch: InvoiceInput[]) => {
    rows += batch.length;
    for (const r of batch) customers.add(accountKey(r.account));
    return batch;
  };
  const reader = createReportReader(options);
  let last: ReportResult | undefined;
  async function* checked(): AsyncGenerator<readonly InvoiceInput[]> {
    let pushed = 0;
    for await (const record of records) {
      reader.push(record);
      pushed += 1;
      if (pushed % BATCH === 0) {
        const batch = reader.take();
        if (batch.length > 0) yield counted(batch);
      }
    }
    last = reader.finish();
    if (!last.ok) throw new ImportRejected(last);
    yield counted(last.rows);
  }
  const result = await upsertInvoiceBatches(deps, trx, teamId, checked(), now, onProgress);
  const done = last as ReportResult;
  return { ...result, rows, customers: customers.size, layout: done.layout, skipped: done.skipped };
}
