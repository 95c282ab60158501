import { sql } from 'kysely';
import type { Db } from './schema.ts';

/**
 * Every column that holds a secret sealed with ENCRYPTION_KEY (src/secrets.ts), as
 * `table.column`. `npm run reseal` rewrites each value sealed by an older key with the newest.
 */
export const SEALED_COLUMNS: ReadonlyArray<readonly [table: string, column: string]> = [
  ['installations', 'bot_token'],
  ['installations', 'bot_refresh_token'],
  ['workspace_credentials', 'sealed_value'],
];

export interface Resealer {
  isStale(sealed: string): boolean;
  /** Opens with any listed key and seals again with the newest. */
  reseal(sealed: string): string;
}

export interface ResealCount {
  column: string;
  sealed: number;
  resealed: number;
}

/**
 * Reseals every stale value (with `dryRun`, only counts them), one at a time: each update replaces exactly the value it read (a
 * sealed value is unique, its IV is random), so a value changed meanwhile is left to the next run.
 */
export async function resealAll(
  db: Db,
  keys: Resealer,
  options: { dryRun?: boolean } = {},
): Promise<ResealCount[]> {
  const counts: ResealCount[] = [];
  for (const [table, column] of SEALED_COLUMNS) {
    const rows = await sql<{ value: string }>`
      select ${sql.ref(column)} as value from ${sql.table(table)} where ${sql.ref(column)} is not null
    `.execute(db);
    let resealed = 0;
    for (const { value } of rows.rows) {
      if (!keys.isStale(value)) continue;
      if (options.dryRun) {
        resealed += 1;
        continue;
      }
      const updated = await sql`
        update ${sql.table(table)} set ${sql.ref(column)} = ${keys.reseal(value)}
        where ${sql.ref(column)} = ${value}
      `.execute(db);
      resealed += Number(updated.numAffectedRows ?? 0);
    }
    counts.push({ column: `${table}.${column}`, sealed: rows.rows.length, resealed });
  }
  return counts;
}
