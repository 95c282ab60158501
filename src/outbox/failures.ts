import { markFinal, reschedule } from '../db/notifications.ts';
import type { Db, Notification } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import { platformError } from '../slack/errors.ts';
import { Deferred } from './pacing.ts';

/** Slack errors worth trying again; any other platform error is final for that row. */
const TRANSIENT = new Set([
  'ratelimited',
  'service_unavailable',
  'internal_error',
  'fatal_error',
  'request_timeout',
  'team_added_to_org',
]);

/**
 * A post that may have reached Slack though no answer came back (the connection dropped or timed
 * out after the request went out): the next attempt looks for it before posting again.
 */
export class OutcomeUnknown extends Error {
  constructor(cause: unknown) {
    super(`no answer from Slack: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Slack refused a call with a platform error (`not_in_channel`, `invalid_auth`…): the same shape
 * as the Web API's own error, with the conversation the call was for, so the right person is told.
 */
export class SlackRefused extends Error {
  readonly code = 'slack_webapi_platform_error';
  readonly data: { error: string };
  readonly where: string;
  constructor(error: string, where: string, cause: unknown) {
    super(`Slack refused the delivery to ${where}: ${error}`, { cause });
    this.data = { error };
    this.where = where;
  }
}

/** Back-off after the n-th failed attempt: 1 s, 2 s, 4 s… up to 5 minutes, with up to 25% jitter. */
export function backoffMs(attempts: number): number {
  return Math.min(2 ** (attempts - 1) * 1_000, 5 * 60_000) * (1 + Math.random() * 0.25);
}

/**
 * What becomes of a row whose delivery threw: a deferral waits without counting as an attempt; a
 * 429 waits for Retry-After; a transient failure is retried with back-off until `maxAttempts`;
 * anything else is final (returns true). All on the wall clock.
 */
export async function handleFailure(
  db: Db,
  log: Logger,
  row: Notification,
  error: unknown,
  maxAttempts: number,
): Promise<boolean> {
  const at = (ms: number) => new Date(Date.now() + ms);
  if (error instanceof Deferred) {
    await reschedule(db, row.id, at(error.ms), row.last_error, { uncount: true });
    return false;
  }
  if ((error as { code?: string }).code === 'slack_webapi_rate_limited_error') {
    const retryAfter = Number((error as { retryAfter?: number }).retryAfter ?? 1);
    log.warn({ id: row.id, key: row.dedupe_key, retryAfter }, 'Slack rate limit: retrying after Retry-After');
    await reschedule(db, row.id, at(retryAfter * 1_000), 'ratelimited');
    return false;
  }
  const platform = platformError(error);
  const reason = platform ?? (error instanceof Error ? error.message : String(error));
  if ((platform && !TRANSIENT.has(platform)) || row.attempts >= maxAttempts) {
    await markFinal(db, row.id, 'failed', reason);
    log.error(
      { id: row.id, key: row.dedupe_key, reason, attempts: row.attempts },
      'notification could not be delivered',
    );
    return true;
  }
  const wait = backoffMs(row.attempts);
  const maybePosted = error instanceof OutcomeUnknown;
  log.warn(
    { id: row.id, key: row.dedupe_key, reason, attempts: row.attempts, backoffMs: wait, maybePosted },
    maybePosted ? 'delivery unanswered: will look for it, then retry' : 'delivery failed: will retry',
  );
  await reschedule(db, row.id, at(wait), reason, { maybePosted });
  return false;
}
