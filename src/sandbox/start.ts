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
import { loadConfig } from '../config.ts';
import { checkDatabase, type DatabaseHandle, openDatabase } from '../db/connect.ts';
import { createLogger } from '../log.ts';
import { type Running, startServer } from '../server.ts';
import { fetchIdentity } from '../slack/identity.ts';
import { movableClock } from './clock.ts';
import { AR_IDS, DEMO_PEOPLE, FINANCE_CHANNEL, loadDemoData } from './demo-data.ts';
import { createSlackSide, type SlackSide } from './interactions.ts';
import { createOutside, type Outside } from './outside.ts';
import { type SandboxServer, startSandboxServer } from './server.ts';
import { createWorkspace, type WorkspaceSnapshot } from './web-api.ts';

export interface SandboxOptions {
  port: number;
  dataDir: string;
  reset: boolean;
  logLevel: string;
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

  let slack: { side: SlackSide; outside: Outside } | undefined;
  const web: SandboxServer = await startSandboxServer({
    port: o.port,
    workspace,
    botToken: BOT_TOKEN,
    people: DEMO_PEOPLE,
    financeChannel: { id: FINANCE_CHANNEL, name: 'finance' },
    clock,
    slack: () => slack,
  });

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
  const bot = { baseUrl: botUrl, signingSecret };
  slack = {
    side: createSlackSide({ workspace, bot, origin: () => web.url }),
    outside: createOutside({ botUrl, webhookSecret, apiToken, running, clock }),
  };

  let saveTimer: NodeJS.Timeout | undefined;
  const save = () => {
    const data: Saved = { offsetMs: clock.offsetMs(), workspace: workspace.snapshot() };
    writeFileSync(savedPath, JSON.stringify(data));
  };
  const unsubscribe = workspace.subscribe(() => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 500);
  });
  if (fresh) await loadDemoData(running);
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
