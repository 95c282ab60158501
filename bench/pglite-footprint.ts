/**
 * npm run bench:footprint -- [--entry src/main.ts] [--idle-seconds 10] [--database-url URL]
 *
 * What the embedded database costs a running bot: starts `npm start`'s entry point on PGlite in a
 * new data directory (first start: the database is created and migrated), then again on the same
 * directory (restart), against a fake Slack on loopback. For each start it prints the time to the
 * first `200` from /healthz, the resident memory after `--idle-seconds` idle, and the peak
 * resident memory of the process (VmHWM). Linux only (/proc). Nothing is kept. `--database-url`
 * measures the same on PostgreSQL instead, for comparison.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCommandLine } from '../src/cli/args.ts';
import { startFakeSlack } from '../test/support/fake-slack.ts';

const USAGE =
  'usage: npm run bench:footprint -- [--entry src/main.ts] [--idle-seconds 10] [--database-url URL]\n';
const { values } = parseCommandLine(USAGE, {
  entry: { type: 'string', default: 'src/main.ts' },
  'idle-seconds': { type: 'string', default: '10' },
  'database-url': { type: 'string' },
});
const idleSeconds = Number(values['idle-seconds']);
if (!Number.isFinite(idleSeconds) || idleSeconds < 0) {
  process.stderr.write(USAGE);
  process.exit(2);
}
const entry = resolve(values.entry as string);

/** A field of /proc/PID/status, in MB. */
function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

interface Footprint {
  readyMs: number;
  idleMb: number;
  peakMb: number;
}

async function measure(dataDir: string, slackUrl: string): Promise<Footprint> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH ?? '',
      SLACK_BOT_TOKEN: 'xoxb-footprint',
      SLACK_SIGNING_SECRET: 'footprint-secret',
      SLACK_API_URL: slackUrl,
      FINANCE_CHANNEL_ID: 'C0FINANCE',
      AR_USER_IDS: 'U0AR',
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'info',
      ...(values['database-url'] ? { DATABASE_URL: values['database-url'] } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  try {
    let readyMs = Number.NaN;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the bot exited:\n${output}`);
      const port = /"port":(\d+)/.exec(output)?.[1];
      if (port) {
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) {
          readyMs = performance.now() - startedAt;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const pid = child.pid as number;
    return { readyMs, idleMb: memoryMb(pid, 'VmRSS'), peakMb: memoryMb(pid, 'VmHWM') };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const fake = await startFakeSlack();
const dir = mkdtempSync(join(tmpdir(), 'arbridge-footprint-'));
try {
  const dataDir = join(dir, 'data');
  const rows: Array<[string, Footprint]> = [];
  rows.push(['first start (new data dir)', await measure(dataDir, fake.url)]);
  rows.push(['restart (same data dir)', await measure(dataDir, fake.url)]);
  process.stdout.write(
    `Footprint of ${values.entry} on ${values['database-url'] ? 'PostgreSQL' : 'the embedded database'} (idle = after ${idleSeconds} s)\n`,
  );
  process.stdout.write('| start | to first /healthz | idle RSS | peak RSS |\n| --- | --- | --- | --- |\n');
  for (const [name, f] of rows)
    process.stdout.write(
      `| ${name} | ${(f.readyMs / 1000).toFixed(1)} s | ${f.idleMb.toFixed(0)} MB | ${f.peakMb.toFixed(0)} MB |\n`,
    );
} finally {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
}
