import { writeFileSync } from 'node:fs';
import { parseCommandLine } from '../src/cli/args.ts';
import { seededRandom } from '../test/support/random.ts';

/**
 * npx node bench/make-aging-csv.ts OUT.csv [--rows 100000] [--customers 1200] [--later]
 *
 * Writes a QuickBooks-like "A/R Aging Detail" export (MM/DD/YYYY dates, "1,234.50" amounts, aging
 * columns the import ignores) for timing `npm run import:invoices -- OUT.csv --date-format MM/DD/YYYY`.
 * The same arguments always give the same file; `--later` gives the same invoices a month on, with
 * about one in ten partly or fully paid (a re-import then records payments). Not for committing.
 */
const CSV_USAGE = 'usage: npx node bench/make-aging-csv.ts OUT.csv [--rows N] [--customers N] [--later]\n';
const { values, positionals } = parseCommandLine(
  CSV_USAGE,
  {
    rows: { type: 'string', default: '100000' },
    customers: { type: 'string', default: '1200' },
    later: { type: 'boolean', default: false },
  },
  { positionals: true },
);
const out = positionals[0];
const rows = Number(values.rows);
const customers = Number(values.customers);
if (!out || !Number.isSafeInteger(rows) || rows < 1 || !Number.isSafeInteger(customers) || customers < 1) {
  process.stderr.write(CSV_USAGE);
  process.exit(2);
}

const next = seededRandom(42);
const pick = (n: number) => Math.floor(next() * n);
const cents = (minor: number) =>
  `${Math.floor(minor / 100).toLocaleString('en-US')}.${String(minor % 100).padStart(2, '0')}`;
const mdy = (d: Date) =>
  `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${d.getUTCFullYear()}`;
const DAY = 86_400_000;
const asOf = Date.UTC(2026, 5, 30) + (values.later ? 30 * DAY : 0);

const lines = [',Date,Transaction Type,Num,Customer,Due Date,Aging,Amount,Open Balance'];
for (let i = 0; i < rows; i++) {
  const customer = `Customer ${String(pick(customers)).padStart(5, '0')}${pick(4) === 0 ? ', Inc.' : ''}`;
  const issued = Date.UTC(2025, 6, 1) + pick(360) * DAY;
  const due = issued + ([0, 15, 30, 45, 60][pick(5)] as number) * DAY;
  const amount = 1_000 + pick(5_000_000);
  let balance = pick(5) === 0 ? pick(amount) : amount;
  const paidLater = next();
  if (values.later && paidLater < 0.05) balance = 0;
  else if (values.later && paidLater < 0.1) balance = Math.floor(balance / 2);
  const aging = Math.max(0, Math.floor((asOf - due) / DAY));
  lines.push(
    [
      '',
      mdy(new Date(issued)),
      'Invoice',
      `INV-${String(100_000 + i)}`,
      customer.includes(',') ? `"${customer}"` : customer,
      mdy(new Date(due)),
      String(aging),
      `"${cents(amount)}"`,
      `"${cents(balance)}"`,
    ].join(','),
  );
}
writeFileSync(out, `${lines.join('\r\n')}\r\n`);
process.stderr.write(`${out}: ${rows.toLocaleString('en-US')} invoices\n`);
