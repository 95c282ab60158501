import { nameKey } from './accounts.ts';
import type { Queryable } from './schema.ts';

export type TargetRef =
  | { type: 'invoice'; id: number; label: string }
  | { type: 'account'; id: number; label: string };

function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Invoices by number prefix and accounts by name (prefix first, then anywhere in the name), for
 * the /ar-update picker. Index-backed prefix scans; well within Slack's 3 seconds.
 */
export async function searchTargets(
  db: Queryable,
  teamId: string,
  query: string,
  limit = 10,
): Promise<TargetRef[]> {
  const q = query.trim();
  if (!q) return [];
  const invoices = await db
    .selectFrom('invoices')
    .innerJoin('accounts', 'accounts.id', 'invoices.account_id')
    .select(['invoices.id', 'invoices.number', 'accounts.name'])
    .where('invoices.team_id', '=', teamId)
    .where((eb) => eb(eb.fn('lower', ['invoices.number']), 'like', likePrefix(q.toLowerCase())))
    .orderBy('invoices.number')
    .limit(limit)
    .execute();
  const key = nameKey(q);
  const prefixed = await db
    .selectFrom('accounts')
    .select(['id', 'name'])
    .where('team_id', '=', teamId)
    .where('name_key', 'like', likePrefix(key))
    .orderBy('name_key')
    .limit(limit)
    .execute();
  const anywhere =
    prefixed.length < limit
      ? await db
          .selectFrom('accounts')
          .select(['id', 'name'])
          .where('team_id', '=', teamId)
          .where('name_key', 'like', `%${likePrefix(key)}`)
          .where('id', 'not in', prefixed.length > 0 ? prefixed.map((a) => a.id) : [0])
          .orderBy('name_key')
          .limit(limit - prefixed.length)
          .execute()
      : [];
  return [
    ...invoices.map((i): TargetRef => ({ type: 'invoice', id: i.id, label: `${i.number} · ${i.name}` })),
    ...[...prefixed, ...anywhere].map((a): TargetRef => ({ type: 'account', id: a.id, label: a.name })),
  ];
}

/** The single best target for `/ar-update <text>`: an exact invoice number, else an account by name. */
export async function findTarget(db: Queryable, teamId: string, text: string): Promise<TargetRef | null> {
  const q = text.trim();
  if (!q) return null;
  const invoice = await db
    .selectFrom('invoices')
    .innerJoin('accounts', 'accounts.id', 'invoices.account_id')
    .select(['invoices.id', 'invoices.number', 'accounts.name'])
    .where('invoices.team_id', '=', teamId)
    .where((eb) => eb(eb.fn('lower', ['invoices.number']), '=', q.toLowerCase()))
    .executeTakeFirst();
  if (invoice) return { type: 'invoice', id: invoice.id, label: `${invoice.number} · ${invoice.name}` };
  const [best] = await searchTargets(db, teamId, q, 1);
  return best ?? null;
}
