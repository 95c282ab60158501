import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Paths whose values are never written to the log. */
const REDACT = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["x-slack-signature"]',
  'headers["x-arbridge-signature"]',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'config.SLACK_BOT_TOKEN',
  'config.SLACK_SIGNING_SECRET',
  'config.SLACK_APP_TOKEN',
  'config.SLACK_CLIENT_SECRET',
  'config.SLACK_STATE_SECRET',
  'config.ENCRYPTION_KEY',
  'config.WEBHOOK_SECRET',
  'config.API_TOKEN',
  'config.DATABASE_URL',
];

type ErrorLike = Error & { code?: unknown; data?: { error?: unknown }; cause?: unknown; errors?: unknown };

/**
 * What the log keeps of an error: its type, message, code (a Node, PostgreSQL or Slack code) and
 * stack, and the same of its cause. Nothing else: a `pg` connection error carries the whole client
 * (its secret key included), a Slack error the request; neither belongs in a log.
 */
export function errorFields(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const e = error as ErrorLike;
  const inner = Array.isArray(e.errors) ? (e.errors as unknown[]) : [];
  const first = inner[0] instanceof Error ? (inner[0] as ErrorLike) : undefined;
  const code = e.code ?? first?.code;
  const slackError = e.data?.error;
  return {
    type: e.name,
    // An AggregateError (a host with several addresses) has no message of its own.
    message: e.message || inner.map((i) => (i instanceof Error ? i.message : String(i))).join('; '),
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(typeof slackError === 'string' ? { slackError } : {}),
    stack: e.stack,
    ...(e.cause !== undefined && depth < 3 ? { cause: errorFields(e.cause, depth + 1) } : {}),
  };
}

/** JSON logs in production; readable lines on a terminal. Tokens and secrets are redacted. */
export function createLogger(level: string, pretty = process.stdout.isTTY === true): Logger {
  return pino({
    level,
    base: { app: 'ar-bridge' },
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { err: errorFields },
    transport: pretty
      ? { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,app' } }
      : undefined,
  });
}

const TOKEN_PATTERN = /xox[abposre]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+/g;

function scrub(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(TOKEN_PATTERN, '[redacted]') : value;
}

/** Adapts pino to the logger interface Bolt and the Web API client expect. */
export function boltLogger(logger: Logger, name = 'slack'): BoltLogger {
  const child = logger.child({ component: name });
  const message = (msg: unknown[]) =>
    msg.map((m) => (typeof m === 'string' ? scrub(m) : JSON.stringify(m, (_k, v) => scrub(v)))).join(' ');
  let level = LogLevel.INFO;
  return {
    debug: (...msg) => child.debug(message(msg)),
    info: (...msg) => child.info(message(msg)),
    warn: (...msg) => child.warn(message(msg)),
    error: (...msg) => child.error(message(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
