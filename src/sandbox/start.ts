/**
 * Starts the sandbox: the Slack stand-in and page on loopback, then the real bot through the same
 * start-up `npm start` runs (src/server.ts `startServer`), on the embedded database under
 * DATA_DIR, with SLACK_API_URL pointing at the stand-in and secrets made up for this run. The
 * stand-in's messages and the clock's offset are kept in DATA_DIR/slack.json next to the database,
 * so a restart shows the same workspace; `reset` starts over with the demo data.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { DatabaseHandle } from '../db/connect.ts';
import type { Running } from '../server.ts';
import { movableClock } from './clock.ts';
import { AR_IDS, DEMO_PEOPLE, FINANCE_CHANNEL } from './demo-people.ts';
import { createFileStore, type SavedFile } from './files.ts';
import type { SlackSide } from './interactions.ts';
import type { Outside } from './outside.ts';
import { type SandboxServer, startSandboxServer } from './server.ts';
import { createWorkspace, type WorkspaceSnapshot } from './web-api.ts';

/** The bot and everything it needs, loaded once the page is being served (they take seconds to load). */
async function loadBot() {
  const [config, connect, log, server, identity, interactions, outside, demo] = await Promise.all([
    import('../config.ts'),
    import('../db/connect.ts'),
    import('../log.ts'),
    import('../server.ts'),
    import('../slack/identity.ts'),
    import('./interactions.ts'),
    import('./outside.ts'),
    import('./demo-data.ts'),
  ]);
  return {
    ...config,
    ...connect,
    ...log,
    ...server,
    ...identity,
    ...interactions,
    ...outside,
    ...demo,
  };
}

export interface SandboxOptions {
  port: number;
  dataDir: string;
  reset: boolean;
  logLevel: string;
  /** Called as soon as the page is served, before the bot has started. */
  onServing?: (url: string) => void;
}

export interface Sandbox {
  url: string;
  botUrl: string;
  running: Running;
  /** Whether the demo data was loaded by this start (a fresh or reset data directory). */
  loaded: boolean;
  stop(): Promise<void>;
}

interface Saved {
  offsetMs: number;
  workspace: WorkspaceSnapshot;
  /** Uploaded charts (absent in data saved before uploads were kept). */
  files?: SavedFile[];
}

const BOT_TOKEN = 'xoxb-sandbox-token';
const secret = () => randomBytes(24).toString('hex');

export async function startSandbox(o: SandboxOptions): Promise<Sandbox> {
  const savedPath = join(o.dataDir, 'slack.json');
  // The database and the stand-in's messages belong together: without one, start both afresh.
  const fresh = o.reset || !existsSync(savedPath);
  if (fresh) rmSync(o.dataDir, { recursive: true, force: true });
  mkdirSync(o.dataDir, { recursive: true });
  const saved: Saved | undefined = fresh ? undefined : JSON.parse(readFileSync(savedPath, 'utf8'));

  const clock = movableClock(saved?.offsetMs ?? 0);
  const workspace = createWorkspace({ teamName: 'Demo Co', domain: 'demo-co', strictTriggers: true });
  if (saved) workspace.restore(saved.workspace);
  for (const p of DEMO_PEOPLE) workspace.addUser(p);
  // Charts the bot uploads (the digest's, AR's App Home aging chart), kept while the sandbox runs.
  const files = createFileStore();
  if (saved?.files) files.restore(saved.files);
  files.install(workspace.handlers, (id) => `${web.url}/upload/${encodeURIComponent(id)}`);

  let slack: { side: SlackSide; outside: Outside } | undefined;
  const web: SandboxServer = await startSandboxServer({
    port: o.port,
    workspace,
    botToken: BOT_TOKEN,
    people: DEMO_PEOPLE,
    financeChannel: { id: FINANCE_CHANNEL, name: 'finance' },
    clock,
    files,
    slack: () => slack,
  });

  o.onServing?.(web.url);
  const { loadConfig, openDatabase, checkDatabase, createLogger, fetchIdentity, startServer, ...bot } =
    await loadBot();
  const signingSecret = secret();
  const webhookSecret = secret();
  const apiToken = secret();
  // Only what the sandbox sets: no credentials, no DATABASE_URL from the environment.
  const config = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: `${web.url}/api/`,
    FINANCE_CHANNEL_ID: FINANCE_CHANNEL,
    AR_USER_IDS: AR_IDS.join(','),
    WEBHOOK_SECRET: webhookSecret,
    API_TOKEN: apiToken,
    DATA_DIR: o.dataDir,
    PORT: '0',
    BUSINESS_TIMEZONE: 'America/New_York',
    LOG_LEVEL: o.logLevel,
  });
  const logger = createLogger(config.LOG_LEVEL);
  let database: DatabaseHandle | undefined;
  let running: Running | undefined;
  try {
    database = await openDatabase(config);
    await checkDatabase(database, undefined);
    const identity = await fetchIdentity(config, logger);
    // The stand-in has no rate limit to honour: a short gap keeps the demo lively.
    running = await startServer({ config, database, logger, identity, clock, outbox: { channelGapMs: 150 } });
  } catch (error) {
    await running?.stop();
    await database?.close();
    await web.close();
    throw error;
  }
  const address = running.server?.address() as AddressInfo | null | undefined;
  if (!address) throw new Error('the sandbox runs the bot over HTTP');
  const botUrl = `http://127.0.0.1:${address.port}`;
  slack = {
    side: bot.createSlackSide({ workspace, bot: { baseUrl: botUrl, signingSecret }, origin: () => web.url }),
    outside: bot.createOutside({ botUrl, webhookSecret, apiToken, running, clock }),
  };

  let saveTimer: NodeJS.Timeout | undefined;
  const save = () => {
    const data: Saved = {
      offsetMs: clock.offsetMs(),
      workspace: workspace.snapshot(),
      files: files.snapshot(),
    };
    writeFileSync(savedPath, JSON.stringify(data));
  };
  const unsubscribe = workspace.subscribe(() => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 500);
  });
  if (fresh) await bot.loadDemoData(running);
  save();

  const started = running;
  const db = database;
  return {
    url: web.url,
    botUrl,
    running: started,
    loaded: fresh,
    async stop() {
      unsubscribe();
      clearTimeout(saveTimer);
      await started.stop();
      save();
      await db.close();
      await web.close();
    },
  };
}
