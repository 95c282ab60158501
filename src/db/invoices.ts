import type { Kysely, Transaction } from 'kysely';
import type { Account, Database, Invoice } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** An invoice of this workspace with its account, or undefined. */
export async function getInvoiceWithAccount(
  db: Db,
  teamId: string,
  invoiceId: number,
): Promise<{ invoice: Invoice; account: Account } | undefined> {
  const invoice = await db
    .selectFrom('invoices')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('id', '=', invoiceId)
    .executeTakeFirst();
  if (!invoice) return undefined;
  const account = await db
    .selectFrom('accounts')
    .selectAll()
    .where('id', '=', invoice.account_id)
    .executeTakeFirstOrThrow();
  return { invoice, account };
}
