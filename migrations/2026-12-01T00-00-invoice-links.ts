import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // Where the customer sees or pays the invoice (a billing system's hosted page), when given.
  await db.schema.alterTable('invoices').addColumn('url', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invoices').dropColumn('url').execute();
}
