import { nameKey } from '../db/accounts.ts';
import type { Trx } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import {
  createInvoiceCsvReader,
  type InvoiceCsvOptions,
  type InvoiceCsvResult,
} from '../domain/invoice-csv.ts';
import type { InvoiceInput } from '../domain/invoice-input.ts';
import { type UpsertResult, upsertInvoiceBatches } from './invoices.ts';

/** Rows handed from the checking reader to the upsert at a time. */
const BATCH = 2_000;

/** The file has bad rows (or is no aging export): thrown so that the caller's transaction rolls back. */
export class ImportRejected extends Error {
  readonly read: Exclude<InvoiceCsvResult, { ok: true }>;
  constructor(read: Exclude<InvoiceCsvResult, { ok: true }>) {
    super('the file was rejected');
    this.read = read;
  }
}

export interface CsvImportResult extends UpsertResult {
  rows: number;
  customers: number;
}

/**
 * Imports an AR aging export as it streams: every record is checked, and the valid rows are
 * upserted in batches as they come, inside the caller's transaction, so the file is never held
 * whole. One bad row rejects the file: reading goes on to name every problem, then ImportRejected
 * is thrown and the transaction undoes what was written.
 */
export async function importInvoiceRecords(
  deps: Pick<Deps, 'config'>,
  trx: Trx,
  teamId: string,
  records: AsyncIterable<readonly string[]>,
  options: InvoiceCsvOptions,
  now: Date,
  onProgress?: (done: number) => void,
): Promise<CsvImportResult> {
  const customers = new Set<string>();
  let rows = 0;
  const counted = (batch: InvoiceInput[]) => {
    rows += batch.length;
    for (const r of batch)
      customers.add(r.account.crmId ? `crm:${r.account.crmId}` : `name:${nameKey(r.account.name ?? '')}`);
    return batch;
  };
  async function* checked(): AsyncGenerator<readonly InvoiceInput[]> {
    const reader = createInvoiceCsvReader(options);
    let pushed = 0;
    for await (const record of records) {
      reader.push(record);
      pushed += 1;
      if (pushed % BATCH === 0) {
        const batch = reader.take();
        if (batch.length > 0) yield counted(batch);
      }
    }
    const last = reader.finish();
    if (!last.ok) throw new ImportRejected(last);
    yield counted(last.rows);
  }
  const result = await upsertInvoiceBatches(deps, trx, teamId, checked(), now, onProgress);
  return { ...result, rows, customers: customers.size };
}
