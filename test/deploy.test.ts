/**
 * The deploy files cannot drift from a tested path. No container engine runs here, so the test
 * reads the Dockerfile and does what it says in a fresh clone: each stage in a directory of its
 * own (WORKDIR, COPY from the clone or an earlier stage, ENV, the install's RUN commands exactly
 * as written), then the final stage's CMD with its ENV, on this machine's Node (20): `npm start`
 * must run the Node 24 the production install brought. Its HEALTHCHECK command must pass, and
 * SIGTERM to the npm process (what `docker stop` sends, after STOPSIGNAL) must stop the bot and
 * free the data directory. compose.yaml and the systemd unit are checked against the scripts and
 * the settings that exist.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';

const ROOT = resolve(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return logical
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [, op = '', args = ''] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
      return { op: op.toUpperCase(), args: args.trim() };
    });
}

interface Stage {
  name: string;
  root: string;
  cwd: string;
  env: Record<string, string>;
  cmd: string[];
  healthcheck: string[];
  runs: string[];
  stopSignal?: string;
  user?: string;
}

/** KEY=value pairs of an ENV instruction (values may be quoted). */
function envPairs(args: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const [, key = '', value = ''] of args.matchAll(/(\w+)=("[^"]*"|\S+)/g))
    pairs[key] = value.replace(/^"|"$/g, '');
  return pairs;
}

/** Builds every stage as the Dockerfile says; returns them in order. */
function build(dockerfile: string, context: string, into: string): Stage[] {
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  const inStage = (s: Stage, path: string) => (isAbsolute(path) ? join(s.root, path) : join(s.cwd, path));
  for (const { op, args } of instructions(dockerfile)) {
    if (op === 'FROM') {
      const [image, , name] = args.split(/\s+/);
      expect(image).toBe('node:24-slim');
      const root = join(into, `stage-${stages.length}`);
      mkdirSync(root, { recursive: true });
      stage = {
        name: name ?? String(stages.length),
        root,
        cwd: root,
        env: {},
        cmd: [],
        healthcheck: [],
        runs: [],
      };
      stages.push(stage);
      continue;
    }
    if (!stage) throw new Error(`${op} before FROM`);
    const s = stage;
    switch (op) {
      case 'WORKDIR':
        s.cwd = inStage(s, args);
        mkdirSync(s.cwd, { recursive: true });
        break;
      case 'ENV':
        Object.assign(s.env, envPairs(args));
        break;
      case 'COPY': {
        const words = args.split(/\s+/);
        const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
        const paths = words.filter((w) => !w.startsWith('--'));
        const dest = paths.pop() as string;
        const source = from ? stages.find((x) => x.name === from) : undefined;
        if (from && !source) throw new Error(`COPY --from=${from}: no such stage`);
        for (const path of paths) {
          const src = source ? join(source.root, path) : join(context, path);
          expect(existsSync(src), `COPY ${path}: not in the ${from ?? 'build context'}`).toBe(true);
          const target =
            dest.endsWith('/') || paths.length > 1 ? join(inStage(s, dest), path) : inStage(s, dest);
          cpSync(src, target, { recursive: true });
        }
        break;
      }
      case 'RUN': {
        // Faithful only while RUN stays inside WORKDIR: no absolute paths.
        expect(args, 'RUN commands use paths relative to WORKDIR').not.toMatch(/(^|\s)\//);
        s.runs.push(args);
        const ran = spawnSync('sh', ['-c', args], {
          cwd: s.cwd,
          env: { ...process.env, ...s.env },
          encoding: 'utf8',
          timeout: 400_000,
        });
        expect(ran.status, `RUN ${args}\n${ran.stdout}\n${ran.stderr}`).toBe(0);
        break;
      }
      case 'CMD':
        s.cmd = JSON.parse(args);
        break;
      case 'HEALTHCHECK':
        s.healthcheck = JSON.parse(args.slice(args.indexOf('CMD') + 3).trim());
        break;
      case 'STOPSIGNAL':
        s.stopSignal = args;
        break;
      case 'USER':
        s.user = args;
        break;
    }
  }
  return stages;
}

/** The settings README.md's Configuration table documents. */
const documentedSettings = new Set([...read('README.md').matchAll(/^\| `([A-Z_]+)`/gm)].map((m) => m[1]));

describe('deploy files', () => {
  let dir: string;
  let fake: FakeSlack;
  let app: ChildProcess | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arbridge-deploy-'));
    fake = await startFakeSlack();
  });
  afterAll(async () => {
    if (app?.exitCode === null && app.pid) process.kill(app.pid, 'SIGKILL');
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }, 300_000);

  it('the Dockerfile installs and starts in a fresh clone; npm start runs Node 24, passes its health check and stops on SIGTERM', {
    timeout: 900_000,
  }, async () => {
    const clone = join(dir, 'clone');
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
    const stages = build(read('Dockerfile'), clone, join(dir, 'stages'));
    const final = stages.at(-1) as Stage;
    expect(stages.length).toBeGreaterThan(1);
    expect(final.runs).toEqual([]);
    expect(final.user).toBe('node');
    expect(final.stopSignal).toBe('SIGTERM');
    expect(final.cmd).toEqual(['npm', 'start']);
    for (const name of Object.keys(final.env))
      if (name !== 'NODE_ENV') expect(documentedSettings).toContain(name);

    const bundled = execFileSync(join(final.cwd, 'node_modules/.bin/node'), ['--version'], {
      encoding: 'utf8',
    });
    expect(bundled).toMatch(/^v24\./);
    expect(existsSync(join(final.cwd, 'node_modules/vitest'))).toBe(false);

    // The image's environment, its absolute paths inside the stage's directory.
    const imageEnv = Object.fromEntries(
      Object.entries(final.env).map(([k, v]) => [k, v.startsWith('/') ? join(final.root, v) : v]),
    );
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      ...imageEnv,
      PORT: '0',
      SLACK_BOT_TOKEN: 'xoxb-deploy-test',
      SLACK_SIGNING_SECRET: 'deploy-test-secret',
      SLACK_API_URL: fake.url,
      FINANCE_CHANNEL_ID: 'C0FINANCE',
    };
    let output = '';
    const started = spawn(final.cmd[0] as string, final.cmd.slice(1), { cwd: final.cwd, env, stdio: 'pipe' });
    app = started;
    started.stdout?.on('data', (d) => {
      output += d;
    });
    started.stderr?.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((done) => started.on('exit', (code) => done(code)));
    const port = await new Promise<number>((done, fail) => {
      const timer = setInterval(() => {
        const match = /"port":(\d+).*AR Bridge is running/.exec(output);
        if (match) {
          clearInterval(timer);
          done(Number(match[1]));
        } else if (started.exitCode !== null) {
          clearInterval(timer);
          fail(new Error(`npm start exited:\n${output}`));
        }
      }, 100);
    });
    // Logged right after the line that gave the port.
    for (let i = 0; i < 100 && !output.includes('AR_USER_IDS is empty'); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain('AR_USER_IDS is empty');
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(/arbridge_outbox_rows/);
    const [healthCmd, ...healthArgs] = final.healthcheck;
    const health = spawnSync(healthCmd as string, healthArgs, {
      env: { ...env, PORT: String(port) },
      timeout: 30_000,
    });
    expect(health.status).toBe(0);

    const lock = join(imageEnv.DATA_DIR as string, 'ar-bridge.lock');
    expect(existsSync(lock)).toBe(true);
    const stopAt = Date.now();
    started.kill('SIGTERM');
    expect(await exited).toBe(0);
    process.stdout.write(`\n--- npm start stopped ${Date.now() - stopAt} ms after SIGTERM\n`);
    expect(Date.now() - stopAt).toBeLessThan(30_000);
    expect(existsSync(lock)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('compose.yaml runs the app beside PostgreSQL on a volume, with settings that exist', () => {
    const compose = read('compose.yaml');
    expect(compose).toMatch(/^ {2}app:\n {4}build: \.$/m);
    expect(compose).toMatch(/^ {2}postgres:\n {4}image: postgres:\d+/m);
    expect(compose).toMatch(/- postgres-data:\/var\/lib\/postgresql\/data/);
    expect(compose).toMatch(/^volumes:\n {2}postgres-data:/m);
    expect(compose).toMatch(/DATABASE_URL: postgres:\/\/arbridge:.*@postgres:5432\/arbridge/);
    const appSettings = [...compose.matchAll(/^ {6}([A-Z_]+):/gm)].map((m) => m[1]);
    const postgresSettings = new Set(['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB']);
    for (const name of appSettings)
      if (!postgresSettings.has(name as string)) expect(documentedSettings).toContain(name);
    expect(existsSync(join(ROOT, '.env.example'))).toBe(true);
  });

  it('the systemd unit runs what npm start runs, and stops it with SIGTERM', () => {
    const unit = read('deploy/arbridge.service');
    const start = JSON.parse(read('package.json')).scripts.start as string;
    const [, dir = ''] = /^WorkingDirectory=(.+)$/m.exec(unit) ?? [];
    const [, exec = ''] = /^ExecStart=(.+)$/m.exec(unit) ?? [];
    expect(exec).toBe(start.replace(/^exec node /, `${dir}/node_modules/.bin/node `));
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^ReadWritePaths=.*\/data$/m);
    expect(existsSync(join(ROOT, start.split(' ').at(-1) as string))).toBe(true);
  });
});
