import {
  cancelNotifications,
  listNotifications,
  type OutboxRow,
  outboxStats,
  retryNotifications,
} from '../db/notifications.ts';
import { parseCommandLine, usageError } from './args.ts';
import { openCliContext } from './context.ts';

/**
 * npm run outbox -- stats | list [--failed] [--limit N] | retry ID… | cancel ID…
 *
 * The outbox as an operator sees it, on PostgreSQL beside running bots, or on the embedded
 * database while the bot is stopped (it refuses, naming the process that holds DATA_DIR).
 */
const USAGE = `usage: npm run outbox -- stats | list [--failed] [--limit N] | retry ID… | cancel ID…
  stats    rows by status, and how long the oldest due row has waited
  list     the newest rows (--failed: only failed ones), with their last error (--limit, default 50)
  retry    failed or cancelled rows back to pending, due now, with a fresh count of attempts
  cancel   pending or failed rows become cancelled: they are never sent
  On the embedded database, stop the bot first: one process per DATA_DIR (this refuses while the
  bot holds it). Exit codes: 0 done, 1 some ID was not changed or the database refused, 2 usage.
`;

const { values, positionals } = parseCommandLine(
  USAGE,
  { failed: { type: 'boolean' }, limit: { type: 'string' } },
  { positionals: true },
);
const [command, ...rest] = positionals;
if (!command || !['stats', 'list', 'retry', 'cancel'].includes(command))
  usageError(USAGE, command ? `Unknown command ${command}.` : 'Name a command.');
const ids = rest.map(Number);
if ((command === 'retry' || command === 'cancel') && (ids.length === 0 || !ids.every(Number.isSafeInteger)))
  usageError(USAGE, `${command} takes one or more row ids (numbers), as npm run outbox -- list shows them.`);
if ((command === 'stats' || command === 'list') && rest.length > 0)
  usageError(USAGE, `${command} takes no ids.`);
const limit = Number(values.limit ?? 50);
if (!Number.isSafeInteger(limit) || limit < 1)
  usageError(USAGE, '--limit must be a whole number, 1 or more.');

const oneLine = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').slice(0, 120);
const row = (r: OutboxRow) =>
  [
    String(r.id).padStart(6),
    r.status.padEnd(9),
    String(r.attempts).padStart(3),
    r.dedupe_key,
    oneLine(r.last_error),
  ]
    .join('  ')
    .trimEnd();

const ctx = await openCliContext();
try {
  const db = ctx.database.db;
  if (command === 'stats') {
    const stats = await outboxStats(db);
    for (const status of ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const)
      process.stdout.write(`${status.padEnd(10)} ${stats.byStatus[status] ?? 0}\n`);
    process.stdout.write(
      `oldest due ${stats.oldestDueSeconds === null ? 'none' : `${Math.round(stats.oldestDueSeconds)} s ago`}\n`,
    );
  } else if (command === 'list') {
    const rows = await listNotifications(db, { failedOnly: values.failed ?? false, limit });
    process.stdout.write(`${'id'.padStart(6)}  ${'status'.padEnd(9)}  try  key  last error\n`);
    for (const r of rows) process.stdout.write(`${row(r)}\n`);
    if (rows.length === 0) process.stdout.write(values.failed ? 'no failed rows\n' : 'the outbox is empty\n');
  } else {
    const changed =
      command === 'retry' ? await retryNotifications(db, ids) : await cancelNotifications(db, ids);
    const left = ids.filter((id) => !changed.includes(id));
    const verb = command === 'retry' ? 'retried' : 'cancelled';
    if (changed.length > 0) process.stdout.write(`${verb}: ${changed.sort((a, b) => a - b).join(', ')}\n`);
    if (left.length > 0) {
      const allowed = command === 'retry' ? 'failed or cancelled' : 'pending or failed';
      process.stderr.write(`not ${verb} (no such row, or not ${allowed}): ${left.join(', ')}\n`);
      process.exitCode = 1;
    }
    if (command === 'retry' && changed.length > 0 && ctx.database.kind === 'postgres')
      process.stdout.write('running bots deliver them at their next poll\n');
  }
} finally {
  await ctx.close();
}
