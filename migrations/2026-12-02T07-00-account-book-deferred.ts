import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** Set (transaction-local) to this while a long import writes its chunks; see below. */
const DEFERRED = `current_setting('arbridge.account_book', true) is distinct from 'deferred'`;

/**
 * The account book may be brought up to date once at the end of a long import instead of after
 * each of its statements. While the transaction-local setting `arbridge.account_book` is
 * 'deferred', inserting and updating invoices leave the book alone; whoever set it clears it and
 * refreshes the entries of every account its statements named (`account_book_refresh`), in the
 * same transaction, before anything reads the book. An import of 1,000,000 rows over ~12,000
 * accounts names nearly all of them in each of its 20 chunks: following the book chunk by chunk
 * took 8-10 s of its ~50 s.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await recreateTriggers(db, sql`when (${sql.raw(DEFERRED)})`);
}

export async function down(db: Kysely<any>): Promise<void> {
  await recreateTriggers(db, sql``);
}

/** The book's insert and update triggers on invoices, made again with `when`. */
async function recreateTriggers(db: Kysely<any>, when: ReturnType<typeof sql>): Promise<void> {
  await sql`drop trigger invoices_book_insert on invoices`.execute(db);
  await sql`drop trigger invoices_book_update on invoices`.execute(db);
  await sql`
    create trigger invoices_book_insert after insert on invoices
    referencing new table as new_rows for each statement ${when}
    execute function account_book_invoices_apply()`.execute(db);
  await sql`
    create trigger invoices_book_update after update on invoices
    referencing old table as old_rows new table as new_rows for each statement ${when}
    execute function account_book_invoices_apply()`.execute(db);
}
