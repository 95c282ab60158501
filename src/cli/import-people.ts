import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { findPersonByEmail, setManager, upsertPerson } from '../db/people.ts';
import { lineBreaks, parseCsv } from '../domain/csv.ts';
import { parseCommandLine, usageError } from './args.ts';
import { openCliContext, TEAM_OPTION, TEAM_USAGE } from './context.ts';

/**
 * npm run import:people -- people.csv [--dry-run]
 *
 * Records who manages whom (escalations mention the rep's manager) and people's roles. Columns
 * (header row, any order): `user` (Slack user id or email), `manager` (id or email, optional),
 * `role` (rep, ar or manager, optional). A file with any bad row is rejected whole.
 */
const USAGE = `usage: npm run import:people -- people.csv [--dry-run] [--team T…]
  Columns: user (Slack user id or email), manager (id or email, optional), role (rep, ar, manager
  or empty). A file with any bad row is rejected whole. --dry-run checks the file only.
${TEAM_USAGE}`;
const { values, positionals } = parseCommandLine(
  USAGE,
  { 'dry-run': { type: 'boolean' }, ...TEAM_OPTION },
  { positionals: true },
);
if (positionals.length !== 1)
  usageError(USAGE, positionals.length === 0 ? 'Name the CSV file to import.' : 'Name one CSV file.');
const file = positionals[0] as string;
const dryRun = values['dry-run'] ?? false;

const person = z
  .string()
  .refine(
    (v) => /^[UW][A-Z0-9]{2,}$/.test(v) || z.email().safeParse(v).success,
    'must be a Slack user id (U…) or an email address',
  );
const row = z.object({
  user: person,
  manager: z
    .union([z.literal(''), person], { error: 'must be a Slack user id (U…), an email address, or empty' })
    .default(''),
  role: z.enum(['', 'rep', 'ar', 'manager'], { error: 'must be rep, ar, manager or empty' }).default(''),
});

/**
 * The file's rows (blank lines skipped) as objects keyed by the header's names (lower-cased), values
 * trimmed, each with its line and whether it has a value past the header's last column.
 */
function readRecords(text: string): { line: number; extra: boolean; values: Record<string, string> }[] {
  let line = 1;
  const lines = parseCsv(text).map((cells) => {
    const at = line;
    line += 1 + lineBreaks(cells);
    return { line: at, cells: cells.map((c) => c.trim()) };
  });
  const [header, ...rest] = lines.filter((r) => r.cells.some((c) => c !== ''));
  const names = (header?.cells ?? []).map((c) => c.toLowerCase());
  return rest.map((r) => ({
    line: r.line,
    extra: r.cells.slice(names.length).some((c) => c !== ''),
    values: Object.fromEntries(names.map((name, i) => [name, r.cells[i] ?? ''])),
  }));
}

let records: ReturnType<typeof readRecords>;
try {
  records = readRecords(readFileSync(file, 'utf8'));
} catch (error) {
  process.stderr.write(`${file}: not a readable CSV file: ${(error as Error).message}\n`);
  process.exit(1);
}
const problems: string[] = [];
const rows = records.map((r) => {
  if (r.extra) problems.push(`row ${r.line}: has more values than the header has columns`);
  const parsed = row.safeParse(r.values);
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      problems.push(`row ${r.line}, ${String(issue.path[0])}: ${issue.message}`);
  return parsed.data;
});
if (problems.length > 0) {
  process.stderr.write(
    `${file} was not imported: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}\n`,
  );
  process.exit(1);
}

const ctx = await openCliContext();
try {
  const { teamId: team, slack } = await ctx.workspace(values.team);
  const ids = new Map<string, string>();
  const resolve = async (who: string, line: number): Promise<string> => {
    if (!who.includes('@')) return who;
    const known = ids.get(who) ?? (await findPersonByEmail(ctx.database.db, team, who))?.user_id;
    if (known) return known;
    try {
      const found = await slack.users.lookupByEmail({ email: who });
      if (found.user?.id) {
        ids.set(who, found.user.id);
        return found.user.id;
      }
    } catch {
      // reported below
    }
    problems.push(`row ${line}: no Slack user has the email ${who}`);
    return '';
  };
  const resolved: {
    userId: string;
    managerId: string | null;
    email?: string;
    role?: 'rep' | 'ar' | 'manager';
  }[] = [];
  for (const [i, r] of rows.entries()) {
    if (!r) continue;
    const userId = await resolve(r.user, i + 2);
    const managerId = r.manager ? await resolve(r.manager, i + 2) : null;
    resolved.push({
      userId,
      managerId,
      email: r.user.includes('@') ? r.user : undefined,
      role: r.role || undefined,
    });
  }
  if (problems.length > 0) {
    process.stderr.write(`${file} was not imported:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    process.exitCode = 1;
  } else if (dryRun) {
    process.stdout.write(`${file}: ${resolved.length} people are valid (dry run: nothing stored)\n`);
  } else {
    await ctx.database.db.transaction().execute(async (trx) => {
      for (const p of resolved) {
        await upsertPerson(trx, team, {
          userId: p.userId,
          ...(p.email ? { email: p.email } : {}),
          ...(p.role ? { role: p.role } : {}),
        });
        await setManager(trx, team, p.userId, p.managerId);
      }
    });
    process.stdout.write(`${file}: imported ${resolved.length} people\n`);
  }
} finally {
  await ctx.close();
}
