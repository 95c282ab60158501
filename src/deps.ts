import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Db } from './db/schema.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { Workspaces } from './slack/workspaces.ts';

/** What handlers, flows and jobs need; built once at start-up (and by tests with their own parts). */
export interface Deps {
  readonly config: Config;
  readonly db: Db;
  readonly databaseKind: 'postgres' | 'pglite';
  readonly logger: Logger;
  /** Business time ("now", "today"); the system clock unless a test or a sandbox moves it. */
  readonly clock: Clock;
  /**
   * The workspaces served, and a client per workspace for the reads a flow or job needs
   * (users.info); every message goes through the outbox instead.
   */
  readonly workspaces: Workspaces;
  /** Wakes the outbox after notifications were committed. */
  readonly notify: () => void;
  /** Asks for the sweeps to run soon (after invoices changed), instead of at the next SWEEP_CRON tick. */
  readonly sweepSoon: () => void;
  /** What GET /metrics serves (the running app's; absent in tests that build their own deps). */
  readonly metrics?: Metrics;
  /** Why Slack cannot be used now (a dead token: deliveries paused), for /readyz; null when it can. */
  readonly slackProblem?: () => string | null;
}
