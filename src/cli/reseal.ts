import { resealAll } from '../db/sealed.ts';
import { createKeyring, SecretError } from '../secrets.ts';
import { parseCommandLine } from './args.ts';
import { openCliContext } from './context.ts';

/**
 * npm run reseal: after a key rotation, rewrites every secret an older key sealed with the newest
 * one (the first of ENCRYPTION_KEY), so that the older key can then be dropped.
 */
const USAGE = `usage: npm run reseal [-- --dry-run]
  Reseals every secret stored sealed (bot tokens of installed workspaces, and every other sealed
  setting) with the newest key, the first one ENCRYPTION_KEY lists; values sealed by it already are
  left alone. Safe beside running bots, and to run again. Prints the counts per column as JSON.
  --dry-run  count what would be resealed, change nothing
  Key rotation: put the new key first in ENCRYPTION_KEY, keep the old one after it, restart the
  bots, run this, then remove the old key (README.md → Encryption keys).
  Exit codes: 0 done, 1 ENCRYPTION_KEY missing or a value opens with none of its keys, 2 usage.
`;

const { values } = parseCommandLine(USAGE, { 'dry-run': { type: 'boolean' } });
const ctx = await openCliContext();
try {
  const keys = ctx.config.ENCRYPTION_KEY;
  if (!keys) {
    process.stderr.write(
      'ENCRYPTION_KEY is not set: there is no key to seal with. Set it (README.md → Encryption keys).\n',
    );
    process.exitCode = 1;
  } else {
    const ring = createKeyring(keys);
    const counts = await resealAll(
      ctx.database.db,
      { isStale: ring.isStale, reseal: (sealed) => ring.seal(ring.open(sealed)) },
      { dryRun: values['dry-run'] ?? false },
    );
    process.stdout.write(`${JSON.stringify({ dryRun: values['dry-run'] ?? false, columns: counts })}\n`);
  }
} catch (error) {
  if (!(error instanceof SecretError)) throw error;
  process.stderr.write(`Cannot reseal: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  await ctx.close();
}
