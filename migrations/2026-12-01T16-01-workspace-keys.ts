import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/**
 * Every link between rows names the workspace on both sides: (team_id, id) is unique on the rows
 * linked to, and each foreign key is (team_id, <column>) → (team_id, id), so the database itself
 * refuses a deal, invoice, handoff, collection update or ask that points into another workspace.
 */
const LINKED = ['accounts', 'deals', 'invoices'] as const;

/** table, column, referenced table, what a delete of the referenced row does. */
const LINKS: ReadonlyArray<readonly [string, string, string, string]> = [
  ['deals', 'account_id', 'accounts', 'no action'],
  ['handoffs', 'deal_id', 'deals', 'no action'],
  ['invoices', 'account_id', 'accounts', 'no action'],
  ['invoices', 'deal_id', 'deals', 'no action'],
  ['collection_updates', 'account_id', 'accounts', 'no action'],
  ['collection_updates', 'invoice_id', 'invoices', 'no action'],
  ['asks', 'account_id', 'accounts', 'cascade'],
  // Only the link is cleared: team_id stays (it is not null).
  ['asks', 'invoice_id', 'invoices', 'set null (invoice_id)'],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of LINKED)
    await sql`alter table ${sql.table(table)} add constraint ${sql.id(`${table}_team_id_id_key`)} unique (team_id, id)`.execute(
      db,
    );
  for (const [table, column, target, onDelete] of LINKS) {
    await sql`alter table ${sql.table(table)} drop constraint ${sql.id(`${table}_${column}_fkey`)}`.execute(
      db,
    );
    await sql`alter table ${sql.table(table)} add constraint ${sql.id(`${table}_${column}_fkey`)}
      foreign key (team_id, ${sql.id(column)}) references ${sql.table(target)} (team_id, id)
      on delete ${sql.raw(onDelete)}`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [table, column, target, onDelete] of LINKS) {
    await sql`alter table ${sql.table(table)} drop constraint ${sql.id(`${table}_${column}_fkey`)}`.execute(
      db,
    );
    await sql`alter table ${sql.table(table)} add constraint ${sql.id(`${table}_${column}_fkey`)}
      foreign key (${sql.id(column)}) references ${sql.table(target)} (id)
      on delete ${sql.raw(onDelete.replace(' (invoice_id)', ''))}`.execute(db);
  }
  for (const table of LINKED)
    await sql`alter table ${sql.table(table)} drop constraint ${sql.id(`${table}_team_id_id_key`)}`.execute(
      db,
    );
}
